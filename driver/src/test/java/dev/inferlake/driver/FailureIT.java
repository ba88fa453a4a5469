package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.testing.TestSpark;
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

/**
 * Every failure exits with its documented code and one line naming what and where, and leaves the
 * prediction table exactly as it was.
 */
class FailureIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path job;
  static String table;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType)
            .add("c", DataTypes.DoubleType)
            .add("label", DataTypes.StringType)
            .add("vec", DataTypes.createArrayType(DataTypes.DoubleType, false));
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 300; i++) {
      // Row 277 has a 2-value vector where the model takes 3.
      List<Double> vec = i == 277 ? List.of(1.0, 2.0) : List.of(1.0, 2.0, (double) i);
      rows.add(RowFactory.create(i, i * 0.1, -i * 0.2, 1.0, "x", vec));
    }
    spark
        .createDataFrame(rows, schema)
        .repartition(2)
        .write()
        .parquet(dir.resolve("in").toString());
    TestModels.linear(3, 2, 7).writeTo(dir, "m.onnx");
    Files.write(
        dir.resolve("pickle.onnx"),
        new byte[] {(byte) 0x80, 4, (byte) 0x95, 'p', 'i', 'c', 'k', 'l', 'e'});
    table = dir.resolve("out").toString();
    job = spec("input").writeTo(dir.resolve("job.yaml"));
    // A first good run, so "unchanged" has something to compare against.
    Cli ok = Cli.run("run", "--job", job.toString(), "--ds", "2026-05-01");
    assertEquals(0, ok.exitCode(), ok.err());
  }

  /** The job, its columns a, b and c mapped to the model input {@code modelInput}. */
  static JobSpecBuilder spec(String modelInput) {
    return JobSpecBuilder.create()
        .input(dir.resolve("in"))
        .key("id")
        .features(modelInput, "a", "b", "c")
        .model("m", "v1", dir.resolve("m.onnx"))
        .output(table);
  }

  /** Runs a job expected to fail and checks the table did not move. */
  static Cli failing(int expectedExit, String... args) {
    DeltaState before = DeltaState.of(spark, table);
    Cli run = Cli.run(args);
    assertEquals(expectedExit, run.exitCode(), run.err());
    assertTrue(run.errorLine().startsWith("inferlake: "), run.err());
    assertEquals(
        before, DeltaState.of(spark, table), "a failed run must leave the table as it was");
    return run;
  }

  static String[] run(String... sets) {
    List<String> args =
        new ArrayList<>(List.of("run", "--job", job.toString(), "--ds", "2026-05-02"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args.toArray(new String[0]);
  }

  @Test
  void aMissingColumnExits3NamingIt() {
    Cli r = failing(3, run("input.features.input=[a, b, nope]"));
    assertEquals(
        "inferlake: column 'nope' for input 'input' of model 'm:v1' (float[-1, 3]) is not in the"
            + " input; its columns are [id, a, b, c, label, vec]",
        r.errorLine());
  }

  @Test
  void aWrongTypeExits3NamingTheColumn() {
    Cli r = failing(3, run("input.features.input=[a, b, label]"));
    assertTrue(
        r.errorLine()
            .startsWith(
                "inferlake: column 'label' has type string, which cannot feed input 'input' of model 'm:v1'"),
        r.errorLine());
  }

  @Test
  void aWrongArrayLengthExits3NamingTheColumnAndRow() {
    Cli r = failing(3, run("input.features.input=vec"));
    assertEquals(
        "inferlake: column 'vec' holds 2 values at row id=277, but input 'input' of model 'm:v1'"
            + " (float[-1, 3]) takes 3",
        r.errorLine());
  }

  @Test
  void aWrongColumnCountExits3() {
    Cli r = failing(3, run("input.features.input=[a, b]"));
    assertTrue(
        r.errorLine().contains("takes 3 values per row, but 2 columns are mapped to it: [a, b]"),
        r.errorLine());
  }

  @Test
  void aMissingKeyColumnExits3() {
    Cli r = failing(3, run("input.key=[user_id]"));
    assertTrue(
        r.errorLine().startsWith("inferlake: key column 'user_id' (input.key) is not in the input"),
        r.errorLine());
  }

  @Test
  void aMissingInputExits3() {
    Cli r = failing(3, run("input.path=" + dir.resolve("nowhere")));
    assertTrue(
        r.errorLine()
            .startsWith(
                "inferlake: input " + dir.resolve("nowhere") + " cannot be read as parquet"),
        r.errorLine());
  }

  @Test
  void modelProblemsExit4NamingTheModel() {
    Cli missing = failing(4, run("models.0.path=" + dir.resolve("gone.onnx")));
    assertTrue(
        missing
            .errorLine()
            .startsWith(
                "inferlake: model 'm:v1' cannot be read from "
                    + dir.resolve("gone.onnx")
                    + ": no such file"),
        missing.errorLine());

    Cli notOnnx = failing(4, run("models.0.path=" + dir.resolve("pickle.onnx")));
    assertTrue(
        notOnnx
            .errorLine()
            .startsWith(
                "inferlake: model 'm:v1' is refused: it is a Python pickle (protocol 4), which runs"
                    + " code when loaded; inferlake loads ONNX and TorchScript models only (file:"
                    + dir.resolve("pickle.onnx")
                    + ")"),
        notOnnx.errorLine());

    Cli output = failing(2, run("models.0.output=logits"));
    assertEquals(
        "inferlake: job spec: model 'm:v1' has no output 'logits'; its outputs are [probabilities]",
        output.errorLine());
  }

  @Test
  void specAndUsageErrorsExit2() throws Exception {
    Cli unknown = failing(2, run("batchsize=3"));
    assertTrue(
        unknown.errorLine().contains("unknown key 'batchsize' in (top level)"),
        unknown.errorLine());

    Cli date = failing(2, "run", "--job", job.toString(), "--ds", "2026-13-01");
    assertEquals(
        "inferlake: --ds '2026-13-01' is not a date in the form YYYY-MM-DD", date.errorLine());

    Cli noJob = failing(2, "run", "--job", dir.resolve("nojob.yaml").toString());
    assertTrue(noJob.errorLine().endsWith("cannot be read: no such file"), noJob.errorLine());

    Cli option = failing(2, "run", "--job", job.toString(), "--bogus");
    assertEquals(
        "inferlake: Unknown option: '--bogus' (see 'inferlake run --help')", option.errorLine());

    Path unmapped = spec("x").writeTo(dir.resolve("unmapped.yaml"));
    Cli r = failing(2, "run", "--job", unmapped.toString());
    assertEquals(
        "inferlake: job spec: model 'm:v1' has input 'input' but no columns are mapped to it (input.features.input)",
        r.errorLine());
  }

  @Test
  void metricsFilesAndProgressLinesReportSuccessAndFailure() throws Exception {
    Path metrics = dir.resolve("metrics/inferlake.prom");
    Cli ok =
        Cli.run(
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-05-03",
            "--metrics-file",
            metrics.toString(),
            "--progress-every",
            "0.05");
    assertEquals(0, ok.exitCode(), ok.err());
    String prom = Files.readString(metrics);
    String labels = "{table=\"" + table + "\",ds=\"2026-05-03\"}";
    assertTrue(prom.contains("inferlake_run_success" + labels + " 1\n"), prom);
    assertTrue(
        prom.contains(
            "inferlake_rows_scored{table=\""
                + table
                + "\",ds=\"2026-05-03\",model=\"m\",version=\"v1\"} 300\n"),
        prom);
    // The last progress line counts every input row the scoring tasks read.
    assertTrue(
        ok.err()
            .lines()
            .anyMatch(l -> l.matches("scoring: (\\d+)/\\1 tasks done, 300 input rows in .* s")),
        ok.err());

    Cli bad =
        failing(
            3,
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-05-04",
            "--metrics-file",
            metrics.toString(),
            "--set",
            "input.features.input=[a, b, nope]");
    assertTrue(bad.errorLine().contains("column 'nope'"), bad.errorLine());
    String failed = Files.readString(metrics);
    assertTrue(
        failed.contains("inferlake_run_success{table=\"" + table + "\",ds=\"2026-05-04\"} 0\n"),
        failed);
    assertTrue(
        failed.contains("inferlake_run_exit_code{table=\"" + table + "\",ds=\"2026-05-04\"} 3\n"),
        failed);
    try (var files = Files.list(metrics.getParent())) {
      assertEquals(List.of(metrics), files.toList(), "no temp file is left beside the metrics");
    }
  }

  @Test
  void helpDocumentsTheExitCodes() {
    Cli help = Cli.run("--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("3  input or schema error"), help.out());
    Cli runHelp = Cli.run("run", "--help");
    assertTrue(runHelp.out().contains("--ds=YYYY-MM-DD"), runHelp.out());
  }
}
