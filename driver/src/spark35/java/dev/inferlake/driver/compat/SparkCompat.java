package dev.inferlake.driver.compat;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark internals the driver uses, for the Spark 3.5 / Scala 2.12 line (the default build).
 * {@code src/spark4/java} holds the same class for Spark 4; the build compiles one of the two (the
 * {@code spark4} profile picks). Keep both in step: same members, same behaviour.
 */
public final class SparkCompat {
  private SparkCompat() {}

  /**
   * A partition coalescer {@code RDD.coalesce} accepts: Spark 3.5 (Scala 2.12) requires a coalescer
   * to be a {@code scala.Serializable}, which Scala 2.13 no longer has.
   */
  public interface SerializableCoalescer
      extends org.apache.spark.rdd.PartitionCoalescer, scala.Serializable {}

  /**
   * Fails when {@code spark} is a kind of session this build cannot drive.
   *
   * @throws IllegalStateException naming the session's class
   */
  public static void checkSession(SparkSession spark) {
    // Spark 3.5 has one in-process SparkSession: nothing to check.
  }

  /** A DataFrame over rows already in Spark's internal format (no conversion per row). */
  public static Dataset<Row> internalCreateDataFrame(
      SparkSession spark, RDD<InternalRow> rows, StructType schema) {
    return spark.internalCreateDataFrame(rows, schema, false);
  }

  /** What {@code Dataset.show} prints, as a string. */
  public static String showString(Dataset<Row> ds, int numRows, int truncate) {
    return ds.showString(numRows, truncate, false);
  }

  /** The RDD of a new execution of {@code ds}'s logical plan, planned under the current conf. */
  public static RDD<InternalRow> replannedRdd(SparkSession spark, Dataset<Row> ds) {
    return Dataset.ofRows(spark, ds.queryExecution().logical()).queryExecution().toRdd();
  }
}
