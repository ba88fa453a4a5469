package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.model.testing.TextClf;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inferlake demo text} end to end in this JVM: the text model in two versions over the whole
 * corpus, into labels and embeddings, checked against PyTorch's reference outputs (written by
 * scripts/models/textclf.py) and against a nearest-neighbour search done here in plain Java.
 */
class DemoTextIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Cli demo;
  static Path lake;

  @BeforeAll
  static void runDemo() {
    spark = TestSpark.session();
    lake = dir.resolve("text-lake");
    demo =
        Cli.run(
            "demo",
            "text",
            "--dir",
            lake.toString(),
            "--models",
            TextClf.folder().toString(),
            "--query",
            "audacity");
    assertEquals(0, demo.exitCode(), demo.out() + demo.err());
  }

  @Test
  void labelsAreTheSectionNamesOfPyTorchsPredictionsAndBothVersionsAreEvaluated() {
    Map<Long, TextClf.Reference> ref = TextClf.reference();
    Map<String, Map<Long, String>> byVersion = new HashMap<>();
    for (Row r :
        spark
            .sql("SELECT model_version, id, label FROM delta.`" + lake.resolve("labels") + "`")
            .collectAsList()) {
      byVersion
          .computeIfAbsent(r.getString(0), v -> new HashMap<>())
          .put(r.getLong(1), r.getString(2));
    }
    assertEquals(List.of("fp32", "int8"), byVersion.keySet().stream().sorted().toList());
    for (Map<Long, String> labels : byVersion.values()) {
      assertEquals(3160, labels.size(), "every description, once per version");
    }
    int agree = 0;
    for (TextClf.Reference r : ref.values()) {
      assertEquals(
          TextClf.CLASSES.get(r.predicted()),
          byVersion.get("fp32").get(r.id()),
          "fp32 label of held-out row " + r.id());
      agree += TextClf.CLASSES.get(r.predicted()).equals(byVersion.get("int8").get(r.id())) ? 1 : 0;
    }
    assertTrue(agree >= 0.95 * ref.size(), "int8 agrees with PyTorch on " + agree + " rows");
    for (String v : List.of("fp32", "int8")) {
      assertTrue(
          demo.out().matches("(?s).*textclf:" + v + " accuracy 0\\.9\\d{3} .*"),
          "accuracy of " + v + " in: " + demo.out());
    }
    assertTrue(Files.isRegularFile(lake.resolve("report-labels/report.html")));
    assertTrue(Files.isRegularFile(lake.resolve("report-embeddings/report.html")));
  }

  @Test
  void embeddingsAreUnitLengthMeanPooledStatesAndTheNearestTextsMatchAPlainSearch() {
    Map<Long, TextClf.Reference> ref = TextClf.reference();
    Map<Long, float[]> fp32 = new HashMap<>();
    Map<Long, String> packages = new HashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT p.id, p.embedding, i.package FROM delta.`"
                    + lake.resolve("embeddings")
                    + "` p JOIN parquet.`"
                    + lake.resolve("input")
                    + "` i ON p.id = i.id WHERE p.model_version = 'fp32'")
            .collectAsList()) {
      List<Float> l = r.getList(1);
      float[] v = new float[l.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = l.get(i);
      }
      fp32.put(r.getLong(0), v);
      packages.put(r.getLong(0), r.getString(2));
    }
    assertEquals(3160, fp32.size());
    double worst = 0;
    for (TextClf.Reference r : ref.values()) {
      float[] got = fp32.get(r.id());
      for (int i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - r.normalized()[i]));
      }
    }
    assertTrue(worst <= 1e-5, "L2-normalized mean pooling against PyTorch: " + worst);

    // The demo's SQL top 5 against a brute-force search here.
    long q =
        packages.entrySet().stream()
            .filter(e -> e.getValue().equals("audacity"))
            .findFirst()
            .orElseThrow()
            .getKey();
    List<Map.Entry<String, Double>> all = new ArrayList<>();
    for (Map.Entry<Long, float[]> e : fp32.entrySet()) {
      if (e.getKey() != q) {
        double dot = 0;
        for (int i = 0; i < e.getValue().length; i++) {
          dot += (double) e.getValue()[i] * fp32.get(q)[i];
        }
        all.add(Map.entry(packages.get(e.getKey()), dot));
      }
    }
    all.sort(Comparator.comparing(Map.Entry<String, Double>::getValue).reversed());
    String printed = demo.out().substring(demo.out().indexOf("LIMIT 5"));
    int at = 0;
    for (Map.Entry<String, Double> e : all.subList(0, 5)) {
      String line = String.format(java.util.Locale.ROOT, "%.3f  %s ", e.getValue(), e.getKey());
      int found = printed.indexOf(line);
      assertTrue(found > at, "nearest '" + line + "' in order in: " + printed);
      at = found;
    }
  }
}
