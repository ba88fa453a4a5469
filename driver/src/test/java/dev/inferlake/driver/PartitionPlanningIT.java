package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.job.InputPlanner;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.partitioning.PartitionPlan;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition planning on a deliberately skewed input, read by real Spark: one large file of many row
 * groups beside many tiny files. Spark's own splits leave one task with most of the rows; the plan
 * from footers and Delta statistics keeps the largest task within 1.5x the median, and every task
 * reads exactly the rows the plan says.
 */
class PartitionPlanningIT {
  static final int BIG_ROWS = 200_000;
  static final int SMALL_FILES = 60;
  static final int SMALL_ROWS = 500;
  static final int TOTAL = BIG_ROWS + SMALL_FILES * SMALL_ROWS;

  @TempDir static Path dir;
  static SparkSession spark;
  static String input;
  static JobSpecBuilder jobSpec;
  static Path job;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    input = dir.resolve("skewed").toString();
    // doubles from rand() do not compress: ~11 MB in ~1 MB row groups
    rows(0, BIG_ROWS).coalesce(1).write().option("parquet.block.size", 1 << 20).parquet(input);
    rows(BIG_ROWS, TOTAL).repartition(SMALL_FILES).write().mode("append").parquet(input);
    TestModels.linear(6, 3, 61).writeTo(dir.resolve("models"), "m.onnx");
    jobSpec =
        JobSpecBuilder.create()
            .input(input)
            .key("id")
            .features("input", "a", "b", "c", "d", "e", "f")
            .model("m", "v1", dir.resolve("models/m.onnx"))
            .output(dir.resolve("predictions"))
            .rowsPerTask(20000);
    job = jobSpec.writeTo(dir.resolve("job.yaml"));
  }

  static Dataset<Row> rows(long from, long to) {
    Dataset<Row> d = spark.range(from, to).withColumnRenamed("id", "id");
    for (String c : List.of("a", "b", "c", "d", "e", "f")) {
      d = d.withColumn(c, functions.rand(c.hashCode()));
    }
    return d;
  }

  /** Rows each partition of {@code rdd} really holds, counted by Spark. */
  static long[] rowsPerPartition(org.apache.spark.api.java.JavaRDD<InternalRow> rdd) {
    List<Long> counts =
        rdd.mapPartitions(
                it -> {
                  long n = 0;
                  while (it.hasNext()) {
                    it.next();
                    n++;
                  }
                  return List.of(n).iterator();
                })
            .collect();
    return counts.stream().mapToLong(Long::longValue).toArray();
  }

  static double skew(long[] rows) {
    long[] s = rows.clone();
    Arrays.sort(s);
    double median =
        s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    return s[s.length - 1] / median;
  }

  static long largestRowGroup(String folder) {
    long max = 0;
    try (var files = Files.list(Path.of(folder))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        for (var g :
            dev.inferlake.partitioning.ParquetFooters.read(
                    new org.apache.hadoop.conf.Configuration(), f.toUri().toString())
                .rowGroups()) {
          max = Math.max(max, g.rows());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return max;
  }

  static JobSpec spec(String... overrides) {
    return jobSpec.spec(overrides);
  }

  @Test
  void sparksOwnSplitsAreSkewedAndThePlanIsNot() {
    Dataset<Row> in = spark.read().parquet(input);
    long[] spark0 =
        rowsPerPartition(
            InputPlanner.of(spark, spec("partitioning.mode=spark"), null, null).plan(in).rows());
    assertEquals(TOTAL, Arrays.stream(spark0).sum());
    assertTrue(
        skew(spark0) > 1.5, "Spark's splits should be skewed here: " + Arrays.toString(spark0));

    InputPlanner.Planned planned = InputPlanner.of(spark, spec(), null, null).plan(in);
    PartitionPlan plan = planned.plan();
    long[] actual = rowsPerPartition(planned.rows());
    assertEquals(TOTAL, Arrays.stream(actual).sum());
    assertEquals(plan.size(), actual.length);
    // metadata predicted every task's rows exactly
    for (int i = 0; i < actual.length; i++) {
      assertEquals(plan.partitions().get(i).rows(), actual[i], "partition " + i);
    }
    assertTrue(skew(actual) <= 1.5, "skew " + skew(actual) + ": " + Arrays.toString(actual));
    assertEquals(0, actual.length % 2, "a multiple of the 2 slots: " + actual.length);
    // the large file (87% of the rows) is split by row group over several tasks
    assertTrue(actual.length >= 6, Arrays.toString(actual));
    // 230k rows at 20k a task would be 12 tasks, but no task can hold less than a row group
    long largestGroup = largestRowGroup(input);
    assertTrue(
        actual.length == 12 || largestGroup > TOTAL / 12,
        actual.length + " tasks, largest row group " + largestGroup);
    assertTrue(planned.source().contains("61 Parquet footer(s) read"), planned.source());
  }

  @Test
  void deltaInputIsPlannedFromItsLogStatistics() {
    String table = dir.resolve("skewed-delta").toString();
    // the same layout as a Delta table: one large file of many row groups, many small ones
    spark.conf().set("parquet.block.size", String.valueOf(1 << 20));
    try {
      rows(0, BIG_ROWS).coalesce(1).write().format("delta").save(table);
      rows(BIG_ROWS, TOTAL)
          .repartition(SMALL_FILES)
          .write()
          .format("delta")
          .mode("append")
          .save(table);
    } finally {
      spark.conf().unset("parquet.block.size");
    }
    Dataset<Row> in = spark.read().format("delta").load(table);
    InputPlanner.Planned planned =
        InputPlanner.of(spark, spec("input.path=" + table, "input.format=delta"), 1L, null)
            .plan(in);
    long[] actual = rowsPerPartition(planned.rows());
    assertEquals(TOTAL, Arrays.stream(actual).sum());
    for (int i = 0; i < actual.length; i++) {
      assertEquals(planned.plan().partitions().get(i).rows(), actual[i], "partition " + i);
    }
    // row counts of the 60 small files come from the log; only the large file's footer is read
    assertTrue(planned.source().contains("61 Delta file statistics"), planned.source());
    assertTrue(planned.source().contains("(1 Parquet footer(s) read"), planned.source());
    assertTrue(actual.length >= 6, Arrays.toString(actual));
    assertTrue(skew(actual) <= 1.5, Arrays.toString(actual));
  }

  @Test
  void planPrintsThePlanAndAfterARunItsEstimatedTime() {
    Cli before = Cli.run("plan", "--job", job.toString());
    assertEquals(0, before.exitCode(), before.err());
    assertTrue(
        before
            .out()
            .matches("(?s).*partitions     \\d+ over 2 cpu slot\\(s\\): \\d+ wave\\(s\\).*"),
        before.out());
    assertTrue(before.out().contains(String.format("rows           %,d", TOTAL)), before.out());
    assertTrue(before.out().contains("estimated      unknown: no earlier run"), before.out());
    assertTrue(before.out().contains("per partition  min "), before.out());

    Cli run = Cli.run("run", "--job", job.toString(), "--ds", "2026-05-01");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(
        TOTAL, spark.read().format("delta").load(dir.resolve("predictions").toString()).count());

    // scoring without writing gives the rows the run wrote
    Dataset<Row> preview =
        new ScoringJob(spark, java.time.Clock.systemUTC())
            .predictions(spec(), java.time.LocalDate.of(2026, 5, 1));
    Dataset<Row> written = spark.read().format("delta").load(dir.resolve("predictions").toString());
    assertEquals(TOTAL, preview.count());
    assertEquals(
        0,
        preview
            .select("id", "prediction", "probabilities", "model_version")
            .except(written.select("id", "prediction", "probabilities", "model_version"))
            .count());

    Cli after =
        Cli.run("plan", "--job", job.toString(), "--set", "partitioning.rows_per_task=null");
    assertEquals(0, after.exitCode(), after.err());
    assertTrue(after.out().contains("rows/s a slot (latest run of these versions)"), after.out());
    assertTrue(after.out().contains("in the last run of these models"), after.out());
  }
}
