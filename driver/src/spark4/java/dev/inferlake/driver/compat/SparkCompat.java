package dev.inferlake.driver.compat;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark internals the driver uses, for the Spark 4 / Scala 2.13 line ({@code mvn -Pspark4}).
 * Spark 4 split {@code SparkSession} and {@code Dataset} into an API ({@code org.apache.spark.sql})
 * and the in-process implementation ({@code org.apache.spark.sql.classic}); the internals live on
 * the classic classes only. {@code src/spark35/java} holds the same class for Spark 3.5.
 */
public final class SparkCompat {
  private SparkCompat() {}

  /**
   * A partition coalescer {@code RDD.coalesce} accepts: Spark 3.5 (Scala 2.12) requires a {@code
   * scala.Serializable}, which Scala 2.13 replaced with {@code java.io.Serializable}.
   */
  public interface SerializableCoalescer
      extends org.apache.spark.rdd.PartitionCoalescer, java.io.Serializable {}

  /**
   * Fails when {@code spark} is a kind of session this build cannot drive.
   *
   * @throws IllegalStateException naming the session's class
   */
  public static void checkSession(SparkSession spark) {
    classic(spark);
  }

  /** A DataFrame over rows already in Spark's internal format (no conversion per row). */
  public static Dataset<Row> internalCreateDataFrame(
      SparkSession spark, RDD<InternalRow> rows, StructType schema) {
    return classic(spark).internalCreateDataFrame(rows, schema, false);
  }

  /** What {@code Dataset.show} prints, as a string. */
  public static String showString(Dataset<Row> ds, int numRows, int truncate) {
    return classic(ds).showString(numRows, truncate, false);
  }

  /** The RDD of a new execution of {@code ds}'s logical plan, planned under the current conf. */
  public static RDD<InternalRow> replannedRdd(SparkSession spark, Dataset<Row> ds) {
    return org.apache.spark.sql.classic.Dataset.ofRows(
            classic(spark), classic(ds).queryExecution().logical())
        .queryExecution()
        .toRdd();
  }

  private static org.apache.spark.sql.classic.SparkSession classic(SparkSession spark) {
    if (spark instanceof org.apache.spark.sql.classic.SparkSession c) {
      return c;
    }
    throw new IllegalStateException(
        "inferlake needs an in-process (classic) SparkSession, not Spark Connect: got "
            + spark.getClass().getName());
  }

  private static org.apache.spark.sql.classic.Dataset<Row> classic(Dataset<Row> ds) {
    if (ds instanceof org.apache.spark.sql.classic.Dataset<Row> c) {
      return c;
    }
    throw new IllegalStateException(
        "inferlake needs an in-process (classic) Dataset, not Spark Connect: got "
            + ds.getClass().getName());
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
    extensions.injectTableFunction(new scala.Tuple3<>(qualified(id), info, new Builder(plan)));
  }

  /** Registers a table-valued function in {@code spark}'s session (replacing one of its name). */
  public static void registerTableFunction(
      SparkSession spark,
      org.apache.spark.sql.catalyst.FunctionIdentifier id,
      org.apache.spark.sql.catalyst.expressions.ExpressionInfo info,
      TableFunction plan) {
    classic(spark)
        .sessionState()
        .tableFunctionRegistry()
        .registerFunction(qualified(id), info, new Builder(plan));
  }

  /**
   * Spark 4.2's function registries hold three-part names only: an unqualified one becomes {@code
   * system.builtin.NAME}, where unqualified calls find it (Spark 3.5 takes the bare name).
   */
  private static org.apache.spark.sql.catalyst.FunctionIdentifier qualified(
      org.apache.spark.sql.catalyst.FunctionIdentifier id) {
    if (id.database().isDefined() && id.catalog().isDefined()) {
      return id;
    }
    return new org.apache.spark.sql.catalyst.FunctionIdentifier(
        id.funcName(), scala.Option.apply("builtin"), scala.Option.apply("system"));
  }

  /** The logical plan of {@code ds}. */
  public static org.apache.spark.sql.catalyst.plans.logical.LogicalPlan logicalPlan(
      Dataset<Row> ds) {
    return classic(ds).logicalPlan();
  }

  private static final class Builder
      extends scala.runtime.AbstractFunction1<
          scala.collection.immutable.Seq<org.apache.spark.sql.catalyst.expressions.Expression>,
          org.apache.spark.sql.catalyst.plans.logical.LogicalPlan>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final TableFunction plan;

    Builder(TableFunction plan) {
      this.plan = plan;
    }

    @Override
    public org.apache.spark.sql.catalyst.plans.logical.LogicalPlan apply(
        scala.collection.immutable.Seq<org.apache.spark.sql.catalyst.expressions.Expression> args) {
      return plan.apply(scala.collection.JavaConverters.seqAsJavaList(args));
    }
  }
}
