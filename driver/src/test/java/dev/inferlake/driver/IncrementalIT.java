package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.CommitLog;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code input.mode: incremental} on a real Delta input that grows between runs: each row scored
 * once per version, a new version backfilling once, an empty run committing nothing, and a run
 * killed after a committed micro-batch resumed without a duplicate.
 */
class IncrementalIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.DoubleType)
          .add("c", DataTypes.DoubleType)
          .add("d", DataTypes.DoubleType);

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    TestModels.linear(4, 3, 51).writeTo(dir, "v1.onnx");
    TestModels.linear(4, 3, 52).writeTo(dir, "v2.onnx");
  }

  /** Appends rows {@code from} until {@code to} to the Delta input, as one commit of files. */
  static void append(String input, int from, int to, int files) {
    List<Row> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      rows.add(RowFactory.create((long) i, i * 0.01, 1.0 - i * 0.003, Math.sin(i), 0.5));
    }
    spark
        .createDataFrame(rows, SCHEMA)
        .repartition(files)
        .write()
        .format("delta")
        .mode("append")
        .save(input);
  }

  static JobSpecBuilder job(String name, boolean withV2) {
    JobSpecBuilder b =
        JobSpecBuilder.create()
            .input(dir.resolve(name + "-in"))
            .format("delta")
            .key("id")
            .features("input", "a", "b", "c", "d")
            .model("m", "v1", dir.resolve("v1.onnx"))
            .output(dir.resolve(name + "-out"));
    return withV2 ? b.model("m", "v2", dir.resolve("v2.onnx")) : b;
  }

  static Cli run(Path jobFile, String... set) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--job",
                jobFile.toString(),
                "--ds",
                "2026-07-01",
                "--set",
                "input.mode=incremental"));
    for (String s : set) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(new String[0]));
  }

  /** Rows per version, after checking that no (id, version) is there twice. */
  static Map<String, Long> rowsPerVersion(String table) {
    List<Row> dup =
        spark
            .sql(
                "SELECT id, model_version, count(*) n FROM delta.`"
                    + table
                    + "` GROUP BY 1, 2 HAVING n > 1")
            .collectAsList();
    assertEquals(List.of(), dup, "a key scored twice by one version");
    Map<String, Long> out = new HashMap<>();
    for (Row r :
        spark
            .sql("SELECT model_version, count(*) FROM delta.`" + table + "` GROUP BY 1")
            .collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** The predicted and rows_in counts of {@code version} in the table's latest run. */
  static Row lastRun(String table, String version) {
    return spark
        .sql(
            "SELECT status, rows_in, predicted FROM delta.`"
                + table
                + "_runs` WHERE model_version = '"
                + version
                + "' ORDER BY finished_at DESC LIMIT 1")
        .head();
  }

  static void ok(Cli r) {
    assertEquals(0, r.exitCode(), r.err());
  }

  @Test
  void eachRowIsScoredOncePerVersionAndANewVersionBackfillsOnce() {
    String input = dir.resolve("grow-in").toString();
    String table = dir.resolve("grow-out").toString();
    Path v1Only = job("grow", false).writeTo(dir.resolve("grow-v1.yaml"));

    append(input, 0, 100, 2);
    ok(run(v1Only));
    assertEquals(Map.of("v1", 100L), rowsPerVersion(table));
    append(input, 100, 250, 2);
    ok(run(v1Only));
    assertEquals(Map.of("v1", 250L), rowsPerVersion(table));
    assertEquals(List.of("succeeded", 150L, 150L), rowList(lastRun(table, "v1")));
    append(input, 250, 300, 1);
    ok(run(v1Only));
    assertEquals(Map.of("v1", 300L), rowsPerVersion(table));

    // nothing new: no commit to the prediction table, exit 0, a run of 0 rows recorded
    long before = CommitLog.latestVersion(spark, table);
    ok(run(v1Only));
    assertEquals(before, CommitLog.latestVersion(spark, table));
    assertEquals(List.of("succeeded", 0L, 0L), rowList(lastRun(table, "v1")));

    // v2 joins: it scores every existing row once, v1 only what is new
    Path both = job("grow", true).writeTo(dir.resolve("grow-both.yaml"));
    append(input, 300, 320, 1);
    ok(run(both));
    assertEquals(Map.of("v1", 320L, "v2", 320L), rowsPerVersion(table));
    assertEquals(List.of("succeeded", 20L, 20L), rowList(lastRun(table, "v1")));
    assertEquals(List.of("succeeded", 320L, 320L), rowList(lastRun(table, "v2")));
    ok(run(both));
    assertEquals(Map.of("v1", 320L, "v2", 320L), rowsPerVersion(table));

    // the same predictions as a batch run of the same rows
    JobSpec batch = job("grow", true).spec();
    Map<String, String> expected = new HashMap<>();
    for (Row r :
        new ScoringJob(spark, Clock.systemUTC())
            .predictions(batch, LocalDate.of(2026, 7, 1))
            .select("id", "model_version", "prediction", "probabilities")
            .collectAsList()) {
      expected.put(r.getLong(0) + "/" + r.getString(1), r.get(2) + "|" + r.getList(3));
    }
    Map<String, String> actual = new HashMap<>();
    for (Row r :
        spark
            .sql("SELECT id, model_version, prediction, probabilities FROM delta.`" + table + "`")
            .collectAsList()) {
      actual.put(r.getLong(0) + "/" + r.getString(1), r.get(2) + "|" + r.getList(3));
    }
    assertEquals(640, expected.size());
    assertEquals(expected, actual);
  }

  @Test
  void aRunKilledAfterACommittedMicroBatchResumesWithoutDuplicates() {
    String input = dir.resolve("crash-in").toString();
    String table = dir.resolve("crash-out").toString();
    Path file = job("crash", false).writeTo(dir.resolve("crash.yaml"));
    append(input, 0, 100, 1);
    append(input, 100, 200, 1);
    append(input, 200, 300, 1);

    // micro-batch 1 commits, then the driver "dies" before the checkpoint records it
    spark.conf().set(FaultInjection.CONF, "stop-after-chunk:1");
    Cli killed;
    try {
      killed = run(file, "input.max_files_per_batch=1");
    } finally {
      spark.conf().unset(FaultInjection.CONF);
    }
    assertEquals(5, killed.exitCode(), killed.err());
    assertTrue(killed.err().contains("stopped after micro-batch 1 of m:v1"), killed.err());
    assertEquals(Map.of("v1", 200L), rowsPerVersion(table));
    long afterKill = CommitLog.latestVersion(spark, table);

    ok(run(file, "input.max_files_per_batch=1"));
    assertEquals(Map.of("v1", 300L), rowsPerVersion(table));
    // micro-batch 1 replayed and skipped by Delta's transaction id; micro-batch 2 committed
    assertEquals(afterKill + 1, CommitLog.latestVersion(spark, table));
    assertEquals(List.of("succeeded", 100L, 100L), rowList(lastRun(table, "v1")));
  }

  @Test
  void incrementalNeedsADeltaInput() {
    Path file = job("parquet", false).format("parquet").writeTo(dir.resolve("parquet.yaml"));
    Cli r = run(file);
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(
        r.err().contains("'input.mode' is 'incremental'; expected batch for a parquet input"),
        r.err());
  }

  static List<Object> rowList(Row r) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      out.add(r.get(i));
    }
    return out;
  }
}
