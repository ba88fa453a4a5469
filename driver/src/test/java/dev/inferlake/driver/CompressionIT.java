package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.registry.ModelRegistry;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.testing.Digits;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model compress} through the CLI on the digits MLP, then every compressed version scored by
 * one normal job over the 450 held-out digits, evaluated against their labels.
 */
class CompressionIT {
  static final Map<String, String> METHODS = new LinkedHashMap<>();

  static {
    METHODS.put("int8-weights", "int8-weights");
    METHODS.put("int8-dynamic", "int8-dynamic:7");
    METHODS.put("fp16", "fp16");
    METHODS.put("pruned", "prune:0.5");
  }

  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;
  static String table;
  static ModelRegistry models;
  static Map<String, Cli> compressed = new HashMap<>();
  static Cli job;

  /** Runs {@code model compress} on this test's registry. */
  static Cli compress(String from, String to, String method, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "model",
                "--registry",
                registry,
                "compress",
                "--from",
                from,
                "--to",
                to,
                "--method",
                method));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(new String[0]));
  }

  static Cli ok(Cli r) {
    assertEquals(0, r.exitCode(), r.out() + r.err());
    return r;
  }

  static Cli ok(String... args) {
    Cli r = Cli.run(args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r.out() + r.err());
    return r;
  }

  @BeforeAll
  static void compressAndScore() throws Exception {
    spark = TestSpark.session();
    registry = dir.resolve("registry").toString();
    models = new ModelRegistry(registry, new Configuration());
    List<String> pixels = DigitsInput.write(spark, dir.resolve("digits"));

    ok(ModelRegistration.of(registry, "digits", "fp32", Digits.modelFile()).args());
    for (Map.Entry<String, String> m : METHODS.entrySet()) {
      compressed.put(m.getKey(), ok(compress("digits:fp32", m.getKey(), m.getValue())));
    }

    table = dir.resolve("predictions").toString();
    JobSpecBuilder spec =
        JobSpecBuilder.create()
            .input(dir.resolve("digits"))
            .key("id")
            .features("pixels", pixels)
            .model("digits", "fp32");
    for (String v : METHODS.keySet()) {
      spec.model("digits", v);
    }
    spec.registry(registry).output(table).evaluate("label");
    job =
        ok("run", "--job", spec.writeTo(dir.resolve("job.yaml")).toString(), "--ds", "2026-11-23");
  }

  @Test
  void manifestsRecordMethodParametersAndSource() {
    ModelManifest fp32 = models.manifest("digits", "fp32");
    assertNull(fp32.rewrite());
    for (Map.Entry<String, String> m : METHODS.entrySet()) {
      ModelManifest v = models.manifest("digits", m.getKey());
      assertEquals("fp32", v.lineage(), m.getKey());
      assertEquals(m.getValue(), v.rewrite().method());
      assertEquals("digits:fp32", v.rewrite().source());
      assertEquals(fp32.sha256(), v.rewrite().sourceSha256());
      // the three weight matrices (fp16 also converts the two 1,024-value biases)
      long weights = 64 * 1024 + 1024 * 1024 + 1024 * 10 + (m.getKey().equals("fp16") ? 2048 : 0);
      assertEquals(Long.toString(weights), v.rewrite().parameters().get("weights_rewritten"));
      String out = compressed.get(m.getKey()).out();
      assertTrue(
          out.startsWith(
              "compressed digits:fp32 -> digits:" + m.getKey() + " with " + m.getValue()),
          out);
      assertTrue(out.contains("loads in ONNX Runtime: yes"), out);
    }
    assertEquals(
        "7", models.manifest("digits", "int8-dynamic").rewrite().parameters().get("weight_bits"));
    assertEquals(
        "per-channel",
        models.manifest("digits", "int8-weights").rewrite().parameters().get("granularity"));
    Cli inspect = ok("model", "--registry", registry, "inspect", "digits:int8-dynamic");
    assertTrue(
        inspect.out().contains("rewrite    int8-dynamic:7 of digits:fp32 (" + fp32.sha256() + ")"),
        inspect.out());
    assertTrue(inspect.out().contains("MatMulInteger=3"), inspect.out());
  }

  /** Sizes are facts of the package, not timings: the size goal holds on the real model. */
  @Test
  void int8PackagesAreAtMostThirtyPercentOfFp32() {
    long fp32 = models.manifest("digits", "fp32").packedBytes();
    for (String v : List.of("int8-weights", "int8-dynamic")) {
      long packed = models.manifest("digits", v).packedBytes();
      assertTrue(packed <= 0.30 * fp32, v + ": " + packed + " of " + fp32);
    }
    assertTrue(
        models.manifest("digits", "fp16").rawBytes()
            < 0.51 * models.manifest("digits", "fp32").rawBytes());
    assertTrue(models.manifest("digits", "pruned").packedBytes() < 0.6 * fp32);
  }

  @Test
  void everyVersionScoresThroughTheJobAndKeepsAccuracy() {
    List<Row> counts =
        spark
            .sql(
                "SELECT model_version, count(*), count(DISTINCT model_digest), first(model_digest)"
                    + " FROM delta.`"
                    + table
                    + "` GROUP BY model_version")
            .collectAsList();
    assertEquals(1 + METHODS.size(), counts.size());
    for (Row r : counts) {
      assertEquals(450L, r.getLong(1), r.getString(0));
      assertEquals(models.manifest("digits", r.getString(0)).sha256(), r.getString(3));
    }
    // accuracy and agreement counted here from the committed predictions and the input labels
    Map<String, Double> accuracy = new HashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT p.model_version, avg(CASE WHEN p.prediction = i.label THEN 1D ELSE 0D END)"
                    + " FROM delta.`"
                    + table
                    + "` p JOIN parquet.`"
                    + dir.resolve("digits")
                    + "` i ON p.id = i.id GROUP BY p.model_version")
            .collectAsList()) {
      accuracy.put(r.getString(0), r.getDouble(1));
    }
    Map<String, Double> agreement = new HashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT c.model_version, avg(CASE WHEN c.prediction = f.prediction THEN 1D ELSE 0D"
                    + " END) FROM delta.`"
                    + table
                    + "` c JOIN delta.`"
                    + table
                    + "` f"
                    + " ON c.id = f.id AND f.model_version = 'fp32' GROUP BY c.model_version")
            .collectAsList()) {
      agreement.put(r.getString(0), r.getDouble(1));
    }
    assertTrue(accuracy.get("fp32") > 0.95, "fp32 accuracy " + accuracy.get("fp32"));
    for (String v : METHODS.keySet()) {
      assertTrue(agreement.get(v) >= 0.99, v + " agrees with fp32 on " + agreement.get(v));
      assertTrue(
          accuracy.get(v) >= accuracy.get("fp32") - 0.005,
          v + ": " + accuracy.get(v) + " vs fp32 " + accuracy.get("fp32"));
    }
    // the job's own evaluation (runs table) says the same as the count above
    for (Row r :
        spark
            .sql("SELECT model_version, accuracy FROM delta.`" + table + "_runs`")
            .collectAsList()) {
      assertEquals(accuracy.get(r.getString(0)), r.getDouble(1), 1e-9, r.getString(0));
    }
  }

  /** The benchmark command runs end to end (briefly) and its table has a row per model x method. */
  @Test
  void benchCompressionWritesItsTable() throws Exception {
    Path out = dir.resolve("bench");
    Cli bench =
        ok(
            "bench",
            "compression",
            "--methods",
            "int8-dynamic",
            "--rows",
            "70000",
            "--mlp-rows",
            "2000",
            "--rounds",
            "1",
            "--digits",
            Digits.folder().toString(),
            "--out",
            out.toString());
    String md = Files.readString(out.resolve("compression.md"));
    assertTrue(bench.out().contains(md), "the table is printed and written alike");
    for (String model : List.of("demo:lr-1", "demo:fm-1", "digits-mlp")) {
      for (String method : List.of("fp32", "int8-dynamic:7")) {
        assertTrue(md.contains("| " + model + " | " + method + " | "), model + " " + method + md);
      }
    }
    // the digits rows: accuracy on the 450 held-out rows, as counted by the job above
    assertTrue(md.contains("| digits-mlp | fp32 | 4,506,733 |"), md);
    assertTrue(md.contains("on 450 held-out labelled rows"), md);
    assertTrue(md.contains("`int8-dynamic:7` accuracy"), md);
  }

  @Test
  void compressRefusesWhatItCannotDoWithMessagesThatSayWhy() throws Exception {
    Cli again = compress("digits:fp32", "fp16", "fp16");
    assertEquals(2, again.exitCode());
    assertTrue(again.errorLine().contains("'digits:fp16' is already registered"), again.err());

    Cli bad = compress("digits:fp32", "x", "int4");
    assertEquals(2, bad.exitCode());
    assertEquals(
        "inferlake: compression method 'int4' is not valid: unknown method; use one of"
            + " int8-weights, int8-dynamic[:7|8], fp16, prune:FRACTION",
        bad.errorLine());

    Cli missing = compress("digits:v9", "x", "fp16");
    assertEquals(4, missing.exitCode());
    assertTrue(missing.errorLine().contains("'digits:v9' is not in the registry"), missing.err());

    // an encrypted source needs its key, and its compressed version is encrypted with it too
    String key = dir.resolve("enc.json").toString();
    ok("model", "keygen", "--type", "encryption", "--out", key);
    ok(
        ModelRegistration.of(registry, "sealed", "fp32", Digits.modelFile())
            .encryptedWith(key)
            .args());
    Cli noKey = compress("sealed:fp32", "int8", "int8-weights");
    assertEquals(2, noKey.exitCode());
    assertTrue(noKey.errorLine().contains("is encrypted: pass its key"), noKey.err());
    ok(compress("sealed:fp32", "int8", "int8-weights", "--key-file", key));
    assertEquals(ModelManifest.AES256_GCM, models.manifest("sealed", "int8").encryption());
    assertEquals("sealed:fp32", models.manifest("sealed", "int8").rewrite().source());
  }
}
