package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job-level errors that must say what is wrong (issue 23, item 3), on a real local run. */
class DiagnosticsIT {
  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(RowFactory.create((long) i, i * 0.1, 1.0 - i * 0.05));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType);
    spark.createDataFrame(rows, schema).write().parquet(dir.resolve("in").toString());
    TestModels.linear(2, 3, 71).writeTo(dir, "m.onnx");
  }

  @Test
  void aFeatureMappingForAnInputNoModelHasIsAUsageError() {
    String table = dir.resolve("out").toString();
    Path job =
        JobSpecBuilder.create()
            .input(dir.resolve("in"))
            .key("id")
            .features("input", "a", "b")
            .features("inptu", "a")
            .model("m", "v1", dir.resolve("m.onnx"))
            .output(table)
            .writeTo(dir.resolve("job.yaml"));
    Cli r = Cli.run("run", "--job", job.toString(), "--ds", "2026-06-01");
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(
        "inferlake: input.features maps 'inptu', which is not an input of any model of the job;"
            + " its inputs: [input]",
        r.errorLine());
    assertFalse(DeltaTable.isDeltaTable(spark, table));
  }

  @Test
  void eachNightsReportHasItsOwnFolderAndTheSummarySaysWhereEverythingIs() {
    String table = dir.resolve("nightly").toString();
    Path job =
        JobSpecBuilder.create()
            .input(dir.resolve("in"))
            .key("id")
            .features("input", "a", "b")
            .model("m", "v1", dir.resolve("m.onnx"))
            .output(table)
            .writeTo(dir.resolve("nightly.yaml"));
    Cli r =
        Cli.run(
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-06-02",
            "--set",
            "report.out=" + dir.resolve("reports/${ds_nodash}"),
            "--set",
            "on_invalid=quarantine");
    assertEquals(0, r.exitCode(), r.err());
    Path html = dir.resolve("reports/20260602/report.html");
    assertTrue(Files.exists(html), r.out());
    assertTrue(
        r.out().contains("  report " + html + " (every version passed its thresholds)"), r.out());
    assertTrue(r.out().contains("  runs table " + table + "_runs"), r.out());
    assertTrue(r.out().contains("  quarantine " + table + "_quarantine"), r.out());

    Cli bad = Cli.run("run", "--job", job.toString(), "--set", "report.out=/r/${day}");
    assertEquals(2, bad.exitCode(), bad.err());
    assertTrue(bad.errorLine().contains("report.out"), bad.errorLine());
  }
}
