package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.model.testing.DigitsCnn;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image model of {@code scripts/models/digits_cnn.py}, registered with its preprocessing,
 * scoring its 450 held-out picture files from a folder ({@code input.format: images}): executors
 * decode, resize, crop and normalize each file, and the stored probabilities equal what PyTorch
 * computed from the same files through PIL and torchvision, whatever the batch size and for the
 * ONNX and the TorchScript export alike. A truncated file, a text file named {@code .png} and a
 * picture whose header declares 900 million pixels are quarantined with their reasons.
 */
class ImageJobIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;
  static Path pictures;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    pictures = Files.createDirectories(dir.resolve("pictures"));
    for (DigitsCnn.Reference r : DigitsCnn.reference()) {
      Files.write(pictures.resolve(r.file()), DigitsCnn.picture(r.file()));
    }
    registry = dir.resolve("registry").toString();
    register("v1", Files.write(dir.resolve("digits-cnn.onnx"), DigitsCnn.onnx()));
    register("pt", Files.write(dir.resolve("digits-cnn.pt"), DigitsCnn.torchScript()));
  }

  private static void register(String version, Path file) {
    Cli r =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "digits-cnn",
            "--version",
            version,
            file.toString(),
            "--image-resize",
            "32",
            "--image-mean",
            "0.485,0.456,0.406",
            "--image-std",
            "0.229,0.224,0.225");
    assertEquals(0, r.exitCode(), r.err());
  }

  static JobSpecBuilder job(Path in, String table, String... versions) {
    JobSpecBuilder b =
        JobSpecBuilder.create().input(in).format("images").key("path").registry(registry);
    for (String v : versions) {
      b.model(JobSpecBuilder.Model.of("digits-cnn", v));
    }
    return b.output(table);
  }

  static Cli run(JobSpecBuilder job, String name) {
    return Cli.run(
        "run", "--job", job.writeTo(dir.resolve(name + ".yaml")).toString(), "--ds", "2026-12-01");
  }

  /** File name -> stored probabilities of one version; checks the prediction is their argmax. */
  static Map<String, float[]> probabilities(String table, String version) {
    Map<String, float[]> out = new TreeMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT path, probabilities, prediction FROM delta.`"
                    + table
                    + "` WHERE model_version = '"
                    + version
                    + "'")
            .collectAsList()) {
      List<Float> p = r.getList(1);
      float[] v = new float[p.size()];
      int best = 0;
      for (int j = 0; j < v.length; j++) {
        v[j] = p.get(j);
        best = v[j] > v[best] ? j : best;
      }
      assertEquals(best, r.getDouble(2), 0.0, r.getString(0));
      String path = r.getString(0);
      out.put(path.substring(path.lastIndexOf('/') + 1), v);
    }
    return out;
  }

  @Test
  void theManifestDeclaresThePreprocessingAndInspectShowsIt() {
    Cli inspect = Cli.run("model", "--registry", registry, "inspect", "digits-cnn:v1");
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(
        inspect
            .out()
            .contains(
                "image      rgb, resize shorter side to 32 (bilinear, antialiased), centre crop"
                    + " 28x28, nchw -> pixels"),
        inspect.out());
    assertTrue(
        inspect
            .out()
            .contains(
                "           scale 1/255, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"),
        inspect.out());
  }

  @Test
  void probabilitiesEqualPyTorchsForEveryBatchSizeAndBothExports() {
    Map<String, float[]> python = new HashMap<>();
    DigitsCnn.reference().forEach(r -> python.put(r.file(), r.probabilities()));
    Map<String, float[]> first = null;
    for (String batch : List.of("64", "7", "1", "auto")) {
      String table = dir.resolve("batch-" + batch).toString();
      JobSpecBuilder job =
          batch.equals("64") ? job(pictures, table, "v1", "pt") : job(pictures, table, "v1");
      job = batch.equals("auto") ? job.batchSizeAuto() : job.batchSize(Integer.parseInt(batch));
      Cli r = run(job, "batch-" + batch);
      assertEquals(0, r.exitCode(), r.err());
      Map<String, float[]> got = probabilities(table, "v1");
      double max = maxDiff(python, got);
      System.out.printf(
          "digits-cnn job (ONNX Runtime), batch %s, vs PyTorch: max |diff| %.3g%n", batch, max);
      assertTrue(max <= 1e-4, "batch " + batch + ": " + max);
      if (first == null) {
        first = got;
        double pt = maxDiff(python, probabilities(table, "pt"));
        System.out.printf("digits-cnn job (TorchScript, DJL) vs PyTorch: max |diff| %.3g%n", pt);
        assertTrue(pt <= 1e-4, "TorchScript: " + pt);
      } else {
        assertTrue(maxDiff(first, got) <= 1e-6, "batch " + batch + " vs batch 64");
      }
    }
  }

  @Test
  void badFilesAreQuarantinedWithTheirReasonsAndTheRestPredicted() throws Exception {
    Path in = Files.createDirectories(dir.resolve("bad"));
    List<DigitsCnn.Reference> ref = DigitsCnn.reference();
    for (DigitsCnn.Reference r : ref.subList(0, 20)) {
      Files.write(in.resolve(r.file()), DigitsCnn.picture(r.file()));
    }
    byte[] png = DigitsCnn.picture(ref.get(0).file());
    Files.write(in.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
    Files.writeString(in.resolve("notes.png"), "a text file named like a picture\n");
    Files.write(in.resolve("bomb.png"), withDimensions(png, 30_000, 30_000));
    String table = dir.resolve("bad-table").toString();

    Cli failed = run(job(in, table, "v1"), "bad-fail");
    assertEquals(3, failed.exitCode(), failed.err());
    assertTrue(failed.err().contains("column 'content' holds"), failed.err());

    Cli r =
        run(
            job(in, table, "v1").onInvalid(OnInvalid.QUARANTINE).maxInvalidFraction(0.5),
            "bad-quarantine");
    assertEquals(0, r.exitCode(), r.err());
    Map<String, String> reasons = new TreeMap<>();
    Map<String, String> values = new TreeMap<>();
    for (Row q : spark.read().format("delta").load(table + "_quarantine").collectAsList()) {
      String path = q.getAs("path");
      String file = path.substring(path.lastIndexOf('/') + 1);
      reasons.put(file, q.getAs("reason"));
      values.put(file, q.getAs("value"));
      assertEquals("content", q.getAs("column"));
    }
    assertEquals("png of 30000x30000 pixels, over the limit of 89478485", values.get("bomb.png"));
    assertEquals(
        "not a picture any reader takes (33 bytes, starting 61207465)", values.get("notes.png"));
    assertEquals(
        Map.of("truncated.png", "undecodable", "notes.png", "undecodable", "bomb.png", "too_large"),
        reasons);
    Map<String, float[]> got = probabilities(table, "v1");
    assertEquals(20, got.size());
    Map<String, float[]> python = new HashMap<>();
    ref.subList(0, 20).forEach(x -> python.put(x.file(), x.probabilities()));
    assertTrue(maxDiff(python, got) <= 1e-4);
    assertTrue(
        r.out().contains("digits-cnn:v1            20 rows  3 quarantined  0 skipped"), r.out());
  }

  /** A PNG whose header (IHDR) declares {@code w x h} pixels, its CRC fixed; the rest as it was. */
  static byte[] withDimensions(byte[] png, int w, int h) {
    byte[] out = png.clone();
    ByteBuffer b = ByteBuffer.wrap(out);
    b.putInt(16, w).putInt(20, h); // after the 8-byte signature, length and "IHDR"
    CRC32 crc = new CRC32();
    crc.update(out, 12, 17); // "IHDR" and its 13 bytes
    b.putInt(29, (int) crc.getValue());
    return out;
  }

  static double maxDiff(Map<String, float[]> want, Map<String, float[]> got) {
    assertEquals(want.keySet(), got.keySet());
    double max = 0;
    for (Map.Entry<String, float[]> e : want.entrySet()) {
      float[] y = got.get(e.getKey());
      for (int j = 0; j < y.length; j++) {
        max = Math.max(max, Math.abs(e.getValue()[j] - y[j]));
      }
    }
    return max;
  }
}
