package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.Digits;
import dev.inferlake.reports.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job scoring the same PyTorch network twice: its ONNX export through ONNX Runtime and its
 * TorchScript export through DJL's PyTorch engine, chosen by each package's format; the report
 * compares the two.
 */
class TorchScriptIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static String table;
  static Path job;
  static Cli run;

  @BeforeAll
  static void scoreBothEngines() throws Exception {
    spark = TestSpark.session();
    List<String> pixels = DigitsInput.write(spark, dir.resolve("digits"));
    table = dir.resolve("predictions").toString();
    job =
        JobSpecBuilder.create()
            .input(dir.resolve("digits"))
            .key("id")
            .features("pixels", pixels)
            .model("digits", "onnx", Digits.modelFile())
            .model("digits", "torchscript", Digits.folder().resolve("digits-mlp.pt"))
            .output(table)
            .evaluate("label")
            .report(dir.resolve("report"))
            .writeTo(dir.resolve("job.yaml"));
    run = Cli.run("run", "--job", job.toString(), "--ds", "2026-11-23");
    assertEquals(0, run.exitCode(), run.out() + run.err());
  }

  @Test
  void bothEnginesPredictTheSameWithin1e5() {
    List<Row> r =
        spark
            .sql(
                "SELECT count(*),"
                    + " sum(CASE WHEN o.prediction = t.prediction THEN 1 ELSE 0 END),"
                    + " max(aggregate(zip_with(o.probabilities, t.probabilities,"
                    + "   (a, b) -> abs(a - b)), 0D, (m, x) -> greatest(m, x)))"
                    + " FROM delta.`"
                    + table
                    + "` o JOIN delta.`"
                    + table
                    + "` t ON o.id = t.id"
                    + " WHERE o.model_version = 'onnx' AND t.model_version = 'torchscript'")
            .collectAsList();
    assertEquals(450L, r.get(0).getLong(0));
    assertEquals(450L, r.get(0).getLong(1), "same class for every row");
    assertTrue(r.get(0).getDouble(2) <= 1e-5, "max |p_onnx - p_torch| = " + r.get(0).getDouble(2));
    // the two packages are different files: their digests differ
    assertEquals(
        2L,
        spark
            .sql("SELECT count(DISTINCT model_digest) FROM delta.`" + table + "`")
            .first()
            .getLong(0));
  }

  @Test
  void theReportComparesTheTwoEngines() throws Exception {
    JsonNode report =
        new ObjectMapper().readTree(dir.resolve("report").resolve("report.json").toFile());
    List<String> versions = new ArrayList<>();
    report.get("versions").forEach(v -> versions.add(v.get("version").asText()));
    assertEquals(List.of("onnx", "torchscript"), versions);
    assertEquals(1.0, report.get("agreement").get(0).get(1).asDouble(), 0);
    List<Row> acc =
        spark
            .sql(
                "SELECT model_version, accuracy, device FROM delta.`" + table + "_runs` ORDER BY 1")
            .collectAsList();
    assertEquals(acc.get(0).getDouble(1), acc.get(1).getDouble(1), 0, "same accuracy");
    assertTrue(acc.get(0).getDouble(1) > 0.95, "accuracy " + acc.get(0).getDouble(1));
  }

  @Test
  void torchScriptWithoutSignatureAndCheckpointsAreRefused() throws Exception {
    Path bare = dir.resolve("bare.pt");
    Files.write(bare, zip("m/data.pkl", "m/constants.pkl", "m/code/__torch__.py", "m/version"));
    Cli noSig = Cli.run("run", "--job", job.toString(), "--set", "models.1.path=" + bare);
    assertEquals(4, noSig.exitCode(), noSig.err());
    assertTrue(noSig.errorLine().contains("is TorchScript without a signature"), noSig.err());

    Path ckpt = dir.resolve("checkpoint.pt");
    Files.write(ckpt, zip("archive/data.pkl", "archive/version", "archive/data/0"));
    Cli checkpoint = Cli.run("run", "--job", job.toString(), "--set", "models.1.path=" + ckpt);
    assertEquals(4, checkpoint.exitCode(), checkpoint.err());
    assertTrue(
        checkpoint.errorLine().contains("a zip archive that is not TorchScript"), checkpoint.err());
  }

  private static byte[] zip(String... names) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (String n : names) {
        z.putNextEntry(new ZipEntry(n));
        z.write(new byte[] {1, 2, 3});
        z.closeEntry();
      }
    }
    return b.toByteArray();
  }
}
