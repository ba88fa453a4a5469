package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.ReportBuilder;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with {@code evaluate} and {@code report}: its runs-table rows (counts, executor batch
 * latencies, model sizes, accuracy), the report it writes, a failed run's rows, and {@code
 * inferlake report} as a gate.
 */
class ReportingIT {
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.DoubleType)
          .add("c", DataTypes.DoubleType)
          .add("d", DataTypes.DoubleType)
          .add("label", DataTypes.IntegerType);
  static final int N = 1_000;

  @TempDir static Path dir;
  static SparkSession spark;
  static Path job;
  static String table;
  static String runs;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    write("input", false);
    write("bad", true);
    // Seeds no other test uses: executors cache runners by digest across test classes, and this
    // test counts the loads.
    TestModels.linear(4, 2, 41).writeTo(dir, "m1.onnx");
    TestModels.linear(4, 2, 42).writeTo(dir, "m2.onnx");
    table = dir.resolve("predictions").toString();
    runs = table + "_runs";
    job =
        JobSpecBuilder.create()
            .input(dir.resolve("input"))
            .key("id")
            .features("input", "a", "b", "c", "d")
            .model("m", "v1", dir.resolve("m1.onnx"))
            .model("m", "v2", dir.resolve("m2.onnx"))
            .output(table)
            .batchSize(64)
            .evaluate("label")
            .report(dir.resolve("report"))
            .writeTo(dir.resolve("job.yaml"));
    Cli first = Cli.run("run", "--job", job.toString(), "--ds", "2026-01-10");
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(
        first.out().contains("report " + dir.resolve("report").resolve("report.html")),
        first.out());
  }

  static void write(String name, boolean nan) {
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      double a = (i % 17) / 17.0;
      double b = (i % 29) / 29.0 - 0.3;
      rows.add(
          RowFactory.create(
              i, nan && i == 500 ? Double.NaN : a, b, 0.25, (i % 5) * 0.1, a + b > 0.6 ? 1 : 0));
    }
    spark
        .createDataFrame(rows, SCHEMA)
        .repartition(2)
        .write()
        .parquet(dir.resolve(name).toString());
  }

  static List<Row> runRows(String where) {
    return spark
        .read()
        .format("delta")
        .load(runs)
        .where(where)
        .orderBy("model_version")
        .collectAsList();
  }

  @Test
  void aRunAddsItsRowsToTheRunsTable() throws Exception {
    List<Row> rows = runRows("status = 'succeeded' AND ds = DATE'2026-01-10'");
    assertEquals(2, rows.size());
    String runId =
        spark.read().format("delta").load(table).select("run_id").distinct().head().getString(0);
    for (int i = 0; i < 2; i++) {
      Row r = rows.get(i);
      String v = "v" + (i + 1);
      assertEquals(v, r.getAs("model_version"));
      assertEquals(runId, r.getAs("run_id"));
      assertEquals(N, (long) r.getAs("rows_in"));
      assertEquals(N, (long) r.getAs("predicted"));
      assertEquals(0, (long) r.getAs("quarantined"));
      // Every row went through the engine in batches of at most 64.
      assertEquals(N, (long) r.getAs("batch_rows"));
      assertTrue((long) r.<Long>getAs("batches") >= (N + 63) / 64, r.toString());
      double p50 = r.getAs("batch_p50_ms");
      double p95 = r.getAs("batch_p95_ms");
      double p99 = r.getAs("batch_p99_ms");
      double max = r.getAs("batch_max_ms");
      assertTrue(0 < p50 && p50 <= p95 && p95 <= p99 && p99 <= max, r.toString());
      assertTrue((double) r.getAs("engine_ms") > 0);
      assertTrue((long) r.<Long>getAs("task_ms") > 0);
      assertEquals(
          Files.size(dir.resolve("m" + (i + 1) + ".onnx")), (long) r.getAs("model_raw_bytes"));
      assertTrue((long) r.<Long>getAs("model_loads") >= 1);
      assertEquals("cpu", r.getAs("device"));
      assertEquals(spark.sparkContext().applicationId(), r.getAs("spark_app_id"));

      // Accuracy against the input's labels, computed here with a join in SQL.
      Dataset<Row> joined =
          spark
              .read()
              .format("delta")
              .load(table)
              .where("model_version = '" + v + "'")
              .join(spark.read().parquet(dir.resolve("input").toString()), "id");
      double accuracy =
          joined
              .selectExpr("avg(CASE WHEN prediction = label THEN 1.0 ELSE 0.0 END)")
              .head()
              .getDecimal(0)
              .doubleValue();
      assertEquals(accuracy, (double) r.getAs("accuracy"), 1e-9, v);
      assertEquals("label", r.getAs("label_column"));
      assertEquals(N, (long) r.getAs("labelled_rows"));
      long confusion =
          spark
              .read()
              .format("delta")
              .load(runs)
              .where("run_id = '" + runId + "' AND model_version = '" + v + "'")
              .selectExpr("aggregate(flatten(confusion), 0L, (s, x) -> s + x)")
              .head()
              .getLong(0);
      assertEquals(N, confusion);
    }
  }

  @Test
  void theJobWritesItsReportWithTheFirstModelAsBaseline() throws Exception {
    JsonNode json =
        new ObjectMapper().readTree(dir.resolve("report").resolve("report.json").toFile());
    assertEquals("m:v1", json.get("baseline").asText());
    assertEquals("2026-01-10", json.get("ds").asText());
    assertEquals(2, json.get("versions").size());
    assertTrue(json.get("versions").get(1).get("metrics").has("accuracy_delta"));
    assertTrue(
        Files.readString(dir.resolve("report").resolve("report.html"))
            .contains("data:image/png;base64,"));
  }

  @Test
  void aFailedRunIsRecordedAndTheTableIsUnchanged() {
    long before = DeltaTable.forPath(spark, table).history(1).head().getLong(0);
    Cli bad =
        Cli.run(
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-01-11",
            "--set",
            "input.path=" + dir.resolve("bad"),
            "--set",
            "report.out=" + dir.resolve("report-bad"));
    assertEquals(3, bad.exitCode(), bad.err());
    assertEquals(before, DeltaTable.forPath(spark, table).history(1).head().getLong(0));
    List<Row> rows = runRows("ds = DATE'2026-01-11'");
    assertEquals(2, rows.size());
    for (Row r : rows) {
      assertEquals("failed", r.getAs("status"));
      String error = r.getAs("error");
      assertTrue(error.startsWith("INPUT (exit 3): "), error);
      assertTrue(error.contains("holds NaN at row id=500"), error);
      assertTrue(r.isNullAt(r.fieldIndex("predicted")));
      assertTrue(r.isNullAt(r.fieldIndex("table_version")));
    }
    assertFalse(Files.exists(dir.resolve("report-bad")));
  }

  @Test
  void reportCommandGatesOnThresholds() throws Exception {
    Path out = dir.resolve("gate");
    Cli gate =
        Cli.run(
            "report",
            "--table",
            table,
            "--ds",
            "2026-01-10",
            "--threshold",
            "agreement_with_baseline>=1.01",
            "--fail-on-threshold",
            "--out",
            out.toString());
    assertEquals(6, gate.exitCode(), gate.err());
    assertTrue(gate.errorLine().contains("version(s) failed their thresholds"), gate.errorLine());
    assertTrue(gate.out().contains("FAIL: agreement_with_baseline>=1.01 (was 1.0000)"), gate.out());
    JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertFalse(json.get("passed").asBoolean());
    // The baseline by default: the version with the oldest run; both ran together, so by name.
    assertEquals("m:v1", json.get("baseline").asText());

    Cli unknown = Cli.run("report", "--table", table, "--threshold", "psi<=1");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.errorLine().contains("unknown metric 'psi'"), unknown.errorLine());
    Cli baseline =
        Cli.run("report", "--table", table, "--baseline", "m:v9", "--out", out.toString());
    assertEquals(2, baseline.exitCode());
    assertTrue(
        baseline.errorLine().contains("baseline 'm:v9' is not among the versions of this date"),
        baseline.errorLine());
  }

  @Test
  void reportKnowsThePredictionTablesOwnColumns() {
    List<String> own = new ArrayList<>(Arrays.asList(PredictionSchema.of(List.of()).fieldNames()));
    assertEquals(own, ReportBuilder.PREDICTION_COLUMNS);
  }
}
