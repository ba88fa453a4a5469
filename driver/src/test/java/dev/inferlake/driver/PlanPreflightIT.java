package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.driver.testing.JobSpecBuilder.Model;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.RunsTable;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
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

/**
 * {@code inferlake plan} as a run's pre-flight (issue 23, item 4): a job that {@code run} would
 * refuse before scoring, {@code plan} refuses with the same exit code and the same message, and
 * writes nothing either way.
 */
class PlanPreflightIT {
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.DoubleType)
          .add("c", DataTypes.DoubleType)
          .add("label", DataTypes.StringType);

  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 200; i++) {
      rows.add(RowFactory.create(i, i * 0.1, -i * 0.2, 1.0, "x"));
    }
    spark
        .createDataFrame(rows, SCHEMA)
        .repartition(2)
        .write()
        .parquet(dir.resolve("in").toString());
    spark.createDataFrame(List.of(), SCHEMA).write().parquet(dir.resolve("empty").toString());
    TestModels.linear(3, 2, 7).writeTo(dir, "m.onnx");
    TestModels.LinearModel l = TestModels.linear(3, 2, 8);
    new TestModels.LinearModel("x", l.outputName(), l.features(), l.classes(), l.w(), l.b())
        .writeTo(dir, "x.onnx");
    registry = dir.resolve("registry").toString();
    Cli reg = ModelRegistration.of(registry, "m", "v1", dir.resolve("m.onnx")).run();
    assertEquals(0, reg.exitCode(), reg.err());
  }

  /** A job of {@code models} from the registry, columns a, b and c feeding input 'input'. */
  static JobSpecBuilder job(String out, JobSpecBuilder.Model... models) {
    JobSpecBuilder b =
        JobSpecBuilder.create()
            .input(dir.resolve("in"))
            .key("id")
            .features("input", "a", "b", "c")
            .registry(registry)
            .output(dir.resolve(out));
    for (JobSpecBuilder.Model m : models) {
      b.model(m);
    }
    return b;
  }

  /**
   * Plans and runs {@code job} for one date: both must fail with {@code exit} and one same message,
   * and leave no prediction table behind.
   */
  static String refusedAlike(int exit, JobSpecBuilder job, String name) {
    Path file = job.writeTo(dir.resolve(name + ".yaml"));
    Cli plan = Cli.run("plan", "--job", file.toString(), "--ds", "2026-06-01");
    assertEquals(exit, plan.exitCode(), plan.err());
    assertFalse(plan.out().contains("partitions"), "nothing planned: " + plan.out());
    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-06-01");
    assertEquals(exit, run.exitCode(), run.err());
    assertEquals(run.errorLine(), plan.errorLine());
    assertTrue(plan.errorLine().startsWith("inferlake: "), plan.err());
    assertFalse(DeltaTable.isDeltaTable(spark, dir.resolve(name).toString()), "nothing written");
    return plan.errorLine();
  }

  @Test
  void aVersionMissingFromTheRegistryExits4() {
    String line = refusedAlike(4, job("missing-version", Model.of("m", "v9")), "missing-version");
    assertTrue(line.contains("v9"), line);
  }

  @Test
  void aColumnOfTheWrongTypeExits3() {
    String line =
        refusedAlike(
            3,
            job("wrong-type", Model.of("m", "v1")).features("input", "a", "b", "label"),
            "wrong-type");
    assertTrue(
        line.startsWith(
            "inferlake: column 'label' has type string, which cannot feed input 'input' of model"
                + " 'm:v1'"),
        line);
  }

  @Test
  void anUnmappedModelInputExits2() {
    // input.features maps 'input' for m:v1; model n:v1 takes an input 'x' that nothing maps
    JobSpecBuilder job =
        job("unmapped", Model.of("m", "v1"), Model.of("n", "v1").path(dir.resolve("x.onnx")));
    String line = refusedAlike(2, job, "unmapped");
    assertTrue(line.contains("model 'n:v1' has input 'x' but no columns are mapped to it"), line);
  }

  @Test
  void anOutputTheModelLacksExits2() {
    String line =
        refusedAlike(2, job("no-output", Model.of("m", "v1").output("logits")), "no-output");
    assertTrue(line.contains("has no output 'logits'"), line);
  }

  @Test
  void anEmptyInputThatWouldEmptyTheDateExits3() {
    Path good = job("emptied", Model.of("m", "v1")).writeTo(dir.resolve("emptied.yaml"));
    Cli first = Cli.run("run", "--job", good.toString(), "--ds", "2026-06-02");
    assertEquals(0, first.exitCode(), first.err());
    Path empty =
        job("emptied", Model.of("m", "v1"))
            .input(dir.resolve("empty"))
            .writeTo(dir.resolve("emptied-empty.yaml"));
    Cli plan = Cli.run("plan", "--job", empty.toString(), "--ds", "2026-06-02");
    Cli run = Cli.run("run", "--job", empty.toString(), "--ds", "2026-06-02");
    assertEquals(3, plan.exitCode(), plan.err());
    assertEquals(3, run.exitCode(), run.err());
    assertEquals(run.errorLine(), plan.errorLine());
    assertTrue(plan.errorLine().contains("has no rows"), plan.errorLine());
    // another date has no rows to lose: the plan goes ahead
    Cli other = Cli.run("plan", "--job", empty.toString(), "--ds", "2026-06-03");
    assertEquals(0, other.exitCode(), other.err());
  }

  @Test
  void aGoodJobIsPlannedWithItsModelsVerifiedAndNothingWritten() {
    Path file = job("quiet", Model.of("m", "v1")).writeTo(dir.resolve("quiet.yaml"));
    Cli plan = Cli.run("plan", "--job", file.toString());
    assertEquals(0, plan.exitCode(), plan.err());
    assertTrue(
        plan.out().matches("(?s).*  model          m:v1: sha256:[0-9a-f]{12}, not signed\n.*"),
        plan.out());
    assertTrue(plan.out().contains(String.format("rows           %,d", 200)), plan.out());
    assertTrue(plan.out().contains("estimated      unknown: no earlier run"), plan.out());
    String quiet = dir.resolve("quiet").toString();
    assertFalse(DeltaTable.isDeltaTable(spark, quiet), "plan writes no predictions");
    assertFalse(
        DeltaTable.isDeltaTable(spark, RunsTable.defaultPath(quiet)), "plan writes no run record");
  }

  @Test
  void aPilotOfFewRowsATaskTimesThePlanButDoesNotSizeIt() {
    Path file = job("timed", Model.of("m", "v1")).writeTo(dir.resolve("timed.yaml"));
    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-06-04");
    assertEquals(0, run.exitCode(), run.err());
    Cli plan = Cli.run("plan", "--job", file.toString(), "--ds", "2026-06-04");
    assertEquals(0, plan.exitCode(), plan.err());
    String out = plan.out();
    // 200 rows in 2 tasks: its figures are mostly task start-up, so tasks keep the default size
    assertTrue(
        out.contains(
            "rows per task  500,000 (the default: 100 rows a task in the last run of these models"
                + " are too few to size tasks by (10,000 needed))"),
        out);
    assertTrue(
        out.matches(
            "(?s).*  estimated      .* of scoring at [\\d,]+ rows/s a slot \\(latest run of these"
                + " versions\\)\n.*"),
        out);
    assertTrue(
        out.matches(
            "(?s).*  measured       run [0-9a-f-]+ \\(ds 2026-06-04\\): 200 rows in 2 task\\(s\\);"
                + " engine [\\d,]+ rows/s, [\\d.]+ s a task outside it \\(too few rows a task to"
                + " size tasks by: 10,000 needed; a rough estimate\\)\n.*"),
        out);
  }
}
