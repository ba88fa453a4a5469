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

  /** A table function's plan from its argument expressions. */
  public interface TableFunction
      extends java.util.function.Function<
              java.util.List<org.apache.spark.sql.catalyst.expressions.Expression>,
              org.apache.spark.sql.catalyst.plans.logical.LogicalPlan>,
          java.io.Serializable {}

  /** Adds a table-valued function to every session built with {@code extensions}. */
  public static void injectTableFunction(
      org.apache.spark.sql.SparkSessionExtensions extensions,
      org.apache.spark.sql.catalyst.FunctionIdentifier id,
      org.apache.spark.sql.catalyst.expressions.ExpressionInfo info,
      TableFunction plan) {
    extensions.injectTableFunction(new scala.Tuple3<>(id, info, new Builder(plan)));
  }

  /** Registers a table-valued function in {@code spark}'s session (replacing one of its name). */
  public static void registerTableFunction(
      SparkSession spark,
      org.apache.spark.sql.catalyst.FunctionIdentifier id,
      org.apache.spark.sql.catalyst.expressions.ExpressionInfo info,
      TableFunction plan) {
    spark.sessionState().tableFunctionRegistry().registerFunction(id, info, new Builder(plan));
  }

  /** The logical plan of {@code ds}. */
  public static org.apache.spark.sql.catalyst.plans.logical.LogicalPlan logicalPlan(
      Dataset<Row> ds) {
    return ds.logicalPlan();
  }

  private static final class Builder
      extends scala.runtime.AbstractFunction1<
          scala.collection.Seq<org.apache.spark.sql.catalyst.expressions.Expression>,
          org.apache.spark.sql.catalyst.plans.logical.LogicalPlan>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final TableFunction plan;

    Builder(TableFunction plan) {
      this.plan = plan;
    }

    @Override
    public org.apache.spark.sql.catalyst.plans.logical.LogicalPlan apply(
        scala.collection.Seq<org.apache.spark.sql.catalyst.expressions.Expression> args) {
      return plan.apply(scala.collection.JavaConverters.seqAsJavaList(args));
    }
  }
}
