package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.model.testing.TextClf;
import dev.inferlake.reports.RunRecord;
import dev.inferlake.reports.RunsTable;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The text model of {@code scripts/models/textclf.py}, registered with its tokenizer, scoring the
 * 632 held-out descriptions from a Parquet string column: the job tokenizes on the executors, pads
 * each batch to its longest row, and its logits equal PyTorch's (tokenization included) whatever
 * the batch size and however the tokenizer is shipped. Null text is a bad row; a text over the max
 * length is truncated and counted.
 */
class TextJobIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;
  static Path input;
  static TextClf.Rows rows;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    rows = TextClf.rows("test");
    input = dir.resolve("input");
    List<Row> data = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      data.add(RowFactory.create(rows.ids()[r], rows.texts()[r]));
    }
    spark.createDataFrame(data, schema()).repartition(3).write().parquet(input.toString());
    Path onnx = Files.write(dir.resolve("textclf.onnx"), TextClf.onnx());
    registry = dir.resolve("registry").toString();
    Cli r =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "textclf",
            "--version",
            "v1",
            onnx.toString(),
            "--tokenizer",
            TextClf.tokenizerFile().toString(),
            "--max-length",
            String.valueOf(TextClf.MAX_LENGTH));
    assertEquals(0, r.exitCode(), r.err());
  }

  static StructType schema() {
    return new StructType()
        .add("id", DataTypes.LongType, false)
        .add("description", DataTypes.StringType, true);
  }

  static JobSpecBuilder job(Path in, String table) {
    return JobSpecBuilder.create()
        .input(in)
        .key("id")
        .features("text", "description")
        .model(JobSpecBuilder.Model.of("textclf", "v1").task("classifier").outputs(TextClf.LOGITS))
        .registry(registry)
        .output(table);
  }

  static void run(JobSpecBuilder job, String name) {
    Cli r =
        Cli.run(
            "run",
            "--job",
            job.writeTo(dir.resolve(name + ".yaml")).toString(),
            "--ds",
            "2026-12-01");
    assertEquals(0, r.exitCode(), r.err());
  }

  /** id -> stored logits; checks the classifier's columns agree with them. */
  static Map<Long, float[]> logits(String table) {
    Map<Long, float[]> out = new HashMap<>();
    for (Row r :
        spark
            .sql("SELECT id, outputs.logits, probabilities, prediction FROM delta.`" + table + "`")
            .collectAsList()) {
      List<Float> l = r.getList(1);
      List<Float> p = r.getList(2);
      float[] v = new float[l.size()];
      int best = 0;
      for (int j = 0; j < v.length; j++) {
        v[j] = l.get(j);
        assertEquals(v[j], p.get(j), 0f, "the classifier's scores are the logits");
        best = v[j] > v[best] ? j : best;
      }
      assertEquals(best, r.getDouble(3), 0.0, "prediction of " + r.getLong(0));
      out.put(r.getLong(0), v);
    }
    return out;
  }

  static double maxDiff(Map<Long, float[]> a, Map<Long, float[]> b) {
    assertEquals(a.keySet(), b.keySet());
    double max = 0;
    for (Map.Entry<Long, float[]> e : a.entrySet()) {
      float[] y = b.get(e.getKey());
      assertEquals(e.getValue().length, y.length);
      for (int j = 0; j < y.length; j++) {
        max = Math.max(max, Math.abs(e.getValue()[j] - y[j]));
      }
    }
    return max;
  }

  @Test
  void logitsEqualPyTorchsForEveryBatchSizeAndShipping() {
    Map<Long, float[]> python = new HashMap<>();
    TextClf.reference().forEach((id, ref) -> python.put(id, ref.logits()));
    assertEquals(rows.size(), python.size());
    Map<String, Map<Long, float[]>> byBatch = new HashMap<>();
    for (String batch : List.of("64", "7", "1", "auto")) {
      String table = dir.resolve("logits-" + batch).toString();
      JobSpecBuilder job = job(input, table);
      if (batch.equals("auto")) {
        job.batchSizeAuto();
      } else {
        job.batchSize(Integer.parseInt(batch));
      }
      if (batch.equals("7")) {
        job.shipping("storage"); // the executors read tokenizer.json from the registry
      }
      run(job, "logits-" + batch);
      byBatch.put(batch, logits(table));
    }
    double vsPython = maxDiff(byBatch.get("64"), python);
    System.out.printf("text job: logits vs PyTorch %.3g%n", vsPython);
    assertTrue(vsPython <= 1e-4, "logits vs PyTorch: " + vsPython);
    for (String batch : List.of("7", "1", "auto")) {
      double d = maxDiff(byBatch.get(batch), byBatch.get("64"));
      assertTrue(d <= 1e-5, "batch " + batch + " vs 64: " + d);
    }
  }

  @Test
  void nullTextIsQuarantinedEmptyTextScoredAndLongTextTruncatedAndCounted() throws Exception {
    Path in = dir.resolve("bad-input");
    String longText = "game ".repeat(200); // 200 word pieces and [CLS], [SEP]: over 64
    List<Row> data =
        List.of(
            RowFactory.create(1L, rows.texts()[0]),
            RowFactory.create(2L, null),
            RowFactory.create(3L, ""),
            RowFactory.create(4L, longText),
            RowFactory.create(5L, rows.texts()[1]));
    spark.createDataFrame(data, schema()).coalesce(1).write().parquet(in.toString());
    String table = dir.resolve("bad-out").toString();
    // a runs table written before the text columns existed: one row of an earlier run
    StructType before = new StructType();
    for (org.apache.spark.sql.types.StructField f : RunsTable.SCHEMA.fields()) {
      if (!f.name().startsWith("text_")) {
        before = before.add(f);
      }
    }
    Object[] old = new Object[before.size()];
    old[0] = "earlier-run";
    old[1] = java.sql.Date.valueOf("2026-11-30");
    old[4] = "succeeded";
    old[8] = "textclf";
    old[9] = "v0";
    old[15] = 1L;
    spark
        .createDataFrame(List.of(RowFactory.create(old)), before)
        .write()
        .format("delta")
        .save(table + "_runs");
    run(job(in, table).onInvalid(OnInvalid.QUARANTINE).maxInvalidFraction(0.5).batchSize(4), "bad");

    List<Row> q =
        spark.read().format("delta").load(table + "_quarantine").orderBy("id").collectAsList();
    assertEquals(1, q.size(), q.toString());
    Row bad = q.get(0);
    assertEquals(2L, (long) bad.getAs("id"));
    assertEquals("null_value", bad.getAs("reason"));
    assertEquals("description", bad.getAs("column"));

    Map<Long, float[]> scored = logits(table);
    assertEquals(java.util.Set.of(1L, 3L, 4L, 5L), scored.keySet());
    Map<Long, TextClf.Reference> ref = TextClf.reference();
    // rows 1 and 5 were padded beside the long text: still PyTorch's logits
    float[] want1 = ref.get(rows.ids()[0]).logits();
    float[] want5 = ref.get(rows.ids()[1]).logits();
    for (int j = 0; j < want1.length; j++) {
      assertEquals(want1[j], scored.get(1L)[j], 1e-4);
      assertEquals(want5[j], scored.get(5L)[j], 1e-4);
    }

    Row run =
        spark
            .read()
            .format("delta")
            .load(table + "_runs")
            .where("model_version = 'v1'")
            .select("text_truncated_rows", "text_padding_share")
            .head();
    assertEquals(1L, run.getLong(0), "the long text is truncated and counted");
    assertTrue(run.getDouble(1) > 0 && run.getDouble(1) < 1, "padding share " + run.get(1));
    // the old table gained the columns; its earlier row reads null in them
    Map<String, RunRecord> byVersion = new HashMap<>();
    RunsTable.read(spark, table + "_runs", null).forEach(x -> byVersion.put(x.modelVersion(), x));
    assertEquals(java.util.Set.of("v0", "v1"), byVersion.keySet());
    assertEquals(null, byVersion.get("v0").text());
    assertEquals(1L, byVersion.get("v1").text().truncatedRows());
  }

  /** id -> the embedding column of a run of the text model's per-token states. */
  static Map<Long, float[]> embeddings(JobSpecBuilder.Model model, int batch, String name) {
    String table = dir.resolve(name).toString();
    run(
        JobSpecBuilder.create()
            .input(input)
            .key("id")
            .features("text", "description")
            .model(model)
            .registry(registry)
            .batchSize(batch)
            .output(table),
        name);
    Map<Long, float[]> out = new HashMap<>();
    for (Row r : spark.sql("SELECT id, embedding FROM delta.`" + table + "`").collectAsList()) {
      List<Float> e = r.getList(1);
      float[] v = new float[e.size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = e.get(j);
      }
      out.put(r.getLong(0), v);
    }
    return out;
  }

  static JobSpecBuilder.Model tokenStates() {
    return JobSpecBuilder.Model.of("textclf", "v1").output(TextClf.TOKEN_STATES).task("embedding");
  }

  @Test
  void perTokenStatesArePooledWithTheMaskAsPyTorchDoes() {
    Map<Long, float[]> mean = new HashMap<>();
    Map<Long, float[]> normalized = new HashMap<>();
    TextClf.reference()
        .forEach(
            (id, ref) -> {
              mean.put(id, ref.embedding());
              normalized.put(id, ref.normalized());
            });
    Map<Long, float[]> pooled = embeddings(tokenStates(), 64, "mean-64");
    double d = maxDiff(pooled, mean);
    Map<Long, float[]> l2 = embeddings(tokenStates().normalize("l2"), 7, "l2-7");
    double dl2 = maxDiff(l2, normalized);
    System.out.printf("text job: mean pooling vs PyTorch %.3g, normalized %.3g%n", d, dl2);
    assertTrue(d <= 1e-4, "mean pooling vs PyTorch: " + d);
    assertTrue(dl2 <= 1e-4, "normalized vs PyTorch: " + dl2);
    assertEquals(TextClf.DIM, pooled.values().iterator().next().length);

    // CLS pooling: the first token's state, the same alone or padded beside longer rows
    Map<Long, float[]> cls1 = embeddings(tokenStates().pooling("cls"), 1, "cls-1");
    Map<Long, float[]> cls64 = embeddings(tokenStates().pooling("cls"), 64, "cls-64");
    assertTrue(maxDiff(cls1, cls64) <= 1e-5, "cls, batch 1 vs 64: " + maxDiff(cls1, cls64));
    assertTrue(maxDiff(cls64, pooled) > 1e-2, "cls differs from the mean");
  }

  static double paddingShare(String table) {
    return spark
        .read()
        .format("delta")
        .load(table + "_runs")
        .select("text_padding_share")
        .head()
        .getDouble(0);
  }

  @Test
  void lengthBucketingLowersThePaddingShareAndChangesNoResult() {
    Map<String, Map<Long, float[]>> results = new HashMap<>();
    Map<String, Double> share = new HashMap<>();
    for (boolean on : List.of(true, false)) {
      String name = "bucketing-" + on;
      String table = dir.resolve(name).toString();
      run(job(input, table).batchSize(16).textBucketing(on), name);
      results.put(name, logits(table));
      share.put(name, paddingShare(table));
    }
    double on = share.get("bucketing-true");
    double off = share.get("bucketing-false");
    System.out.printf(
        "text job: padding share at batch 16, bucketing on %.3f, off %.3f%n", on, off);
    assertTrue(on < off / 2, "bucketing on " + on + ", off " + off);
    double d = maxDiff(results.get("bucketing-true"), results.get("bucketing-false"));
    assertTrue(d <= 1e-5, "bucketing on vs off: " + d);
  }

  @Test
  void aTokenizerThatDoesNotMatchItsManifestIsRefusedOnTheExecutor() throws Exception {
    // a version of its own tokenizer bytes (trailing space), so no executor has it loaded yet
    byte[] json = Files.readAllBytes(TextClf.tokenizerFile());
    byte[] own = java.util.Arrays.copyOf(json, json.length + 1);
    own[json.length] = ' ';
    Path file = Files.write(dir.resolve("own-tokenizer.json"), own);
    Path onnx = dir.resolve("textclf.onnx");
    Cli r =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "textclf",
            "--version",
            "tampered",
            onnx.toString(),
            "--tokenizer",
            file.toString());
    assertEquals(0, r.exitCode(), r.err());
    Path stored = Path.of(registry, "textclf", "tampered", "tokenizer.json");
    Files.write(stored, json); // valid, but not the bytes the manifest names
    Files.deleteIfExists(stored.resolveSibling(".tokenizer.json.crc")); // Hadoop's own checksum
    String table = dir.resolve("tampered-out").toString();
    JobSpecBuilder job =
        JobSpecBuilder.create()
            .input(input)
            .key("id")
            .features("text", "description")
            .model(JobSpecBuilder.Model.of("textclf", "tampered"))
            .registry(registry)
            .shipping("storage")
            .output(table);
    Cli run =
        Cli.run(
            "run",
            "--job",
            job.writeTo(dir.resolve("tampered.yaml")).toString(),
            "--ds",
            "2026-12-01");
    assertEquals(4, run.exitCode(), run.err());
    assertTrue(
        run.errorLine()
            .contains("the tokenizer of model 'textclf:tampered' does not match its manifest"),
        run.errorLine());
  }
}
