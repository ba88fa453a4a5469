package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.Recsys;
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
 * The recommendation-style model of {@code scripts/models/recsys.py} (five int64 ids into embedding
 * tables, three float features; a score and an embedding out) scored by real jobs from bigint
 * columns: its ONNX export and its TorchScript twin, two outputs each, read back by name in SQL and
 * compared with PyTorch's own outputs on the 1,592 held-out rows.
 */
class RecsysJobIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path input;
  static Recsys.Rows rows;
  static Recsys.Reference reference;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    rows = Recsys.rows("test");
    reference = Recsys.reference();
    StructType schema = new StructType().add("id", DataTypes.LongType, false);
    for (String id : Recsys.ID_INPUTS) {
      schema = schema.add(id, DataTypes.LongType);
    }
    schema = schema.add("numeric", DataTypes.createArrayType(DataTypes.FloatType, false));
    List<Row> data = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      Object[] v = new Object[2 + Recsys.ID_INPUTS.size()];
      v[0] = rows.ids()[r];
      for (int c = 0; c < Recsys.ID_INPUTS.size(); c++) {
        v[1 + c] = rows.idColumns()[c][r];
      }
      float[] f = new float[Recsys.NUMERIC];
      System.arraycopy(rows.numeric(), r * Recsys.NUMERIC, f, 0, Recsys.NUMERIC);
      List<Float> boxed = new ArrayList<>();
      for (float x : f) {
        boxed.add(x);
      }
      v[v.length - 1] = boxed;
      data.add(RowFactory.create(v));
    }
    input = dir.resolve("input");
    spark.createDataFrame(data, schema).repartition(3).write().parquet(input.toString());
    Files.write(dir.resolve("recsys.onnx"), Recsys.onnx());
    Files.write(dir.resolve("recsys.pt"), Recsys.torchScript());
  }

  static JobSpecBuilder.Model model(String version, String file) {
    JobSpecBuilder.Model m =
        JobSpecBuilder.Model.of("recsys", version)
            .path(dir.resolve(file))
            .output("score")
            .task("binary")
            .outputs("score", "embedding");
    Recsys.VOCAB.forEach(m::vocabSize);
    return m;
  }

  static String table(String batch) {
    return dir.resolve("predictions-" + batch).toString();
  }

  static void score(String batch) {
    JobSpecBuilder job =
        JobSpecBuilder.create()
            .input(input)
            .key("id")
            .model(model("onnx", "recsys.onnx"))
            .model(model("torchscript", "recsys.pt"))
            .output(table(batch));
    for (String id : Recsys.ID_INPUTS) {
      job.features(id, id);
    }
    job.features(Recsys.NUMERIC_INPUT, "numeric");
    if (batch.equals("auto")) {
      job.batchSizeAuto();
    } else {
      job.batchSize(Integer.parseInt(batch));
    }
    Cli run =
        Cli.run(
            "run",
            "--job",
            job.writeTo(dir.resolve("job-" + batch + ".yaml")).toString(),
            "--ds",
            "2026-11-23");
    assertEquals(0, run.exitCode(), run.err());
  }

  /** version -> id -> [score, embedding...], read by output name in SQL. */
  static Map<String, Map<Long, float[]>> read(String batch) {
    Map<String, Map<Long, float[]>> out = new HashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT model_version, id, outputs.score, outputs.embedding, prediction,"
                    + " probabilities FROM delta.`"
                    + table(batch)
                    + "`")
            .collectAsList()) {
      float[] v = new float[1 + Recsys.EMBEDDING];
      v[0] = r.getFloat(2);
      List<Float> e = r.getList(3);
      assertEquals(Recsys.EMBEDDING, e.size());
      for (int j = 0; j < e.size(); j++) {
        v[1 + j] = e.get(j);
      }
      // the binary task's columns agree with the stored score
      assertEquals(v[0] >= 0.5f ? 1.0 : 0.0, r.getDouble(4), "prediction of " + r.getLong(1));
      assertEquals(v[0], r.<Float>getList(5).get(1), 0f, "probability of " + r.getLong(1));
      out.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getLong(1), v);
    }
    return out;
  }

  static double maxDiff(Map<Long, float[]> a, Map<Long, float[]> b, int from, int to) {
    assertEquals(a.keySet(), b.keySet());
    double max = 0;
    for (Map.Entry<Long, float[]> e : a.entrySet()) {
      float[] y = b.get(e.getKey());
      for (int j = from; j < to; j++) {
        max = Math.max(max, Math.abs(e.getValue()[j] - y[j]));
      }
    }
    return max;
  }

  @Test
  void bothOutputsMatchPyTorchInEveryBatchSize() {
    Map<Long, float[]> python = new HashMap<>();
    for (long id : rows.ids()) {
      float[] v = new float[1 + Recsys.EMBEDDING];
      v[0] = reference.score().get(id);
      System.arraycopy(reference.embedding().get(id), 0, v, 1, Recsys.EMBEDDING);
      python.put(id, v);
    }
    Map<String, Map<String, Map<Long, float[]>>> byBatch = new HashMap<>();
    for (String batch : List.of("1024", "7", "1", "auto")) {
      score(batch);
      byBatch.put(batch, read(batch));
    }
    Map<String, Map<Long, float[]>> base = byBatch.get("1024");
    assertEquals(rows.size(), base.get("onnx").size());
    double onnxScore = maxDiff(base.get("onnx"), python, 0, 1);
    double onnxEmbedding = maxDiff(base.get("onnx"), python, 1, 1 + Recsys.EMBEDDING);
    double torchVsOnnx =
        maxDiff(base.get("torchscript"), base.get("onnx"), 0, 1 + Recsys.EMBEDDING);
    System.out.printf(
        "recsys job: ONNX vs PyTorch score %.3g, embedding %.3g; TorchScript vs ONNX %.3g%n",
        onnxScore, onnxEmbedding, torchVsOnnx);
    assertTrue(onnxScore <= 1e-4, "score vs PyTorch: " + onnxScore);
    assertTrue(onnxEmbedding <= 1e-4, "embedding vs PyTorch: " + onnxEmbedding);
    assertTrue(torchVsOnnx <= 1e-5, "TorchScript vs ONNX: " + torchVsOnnx);
    for (String batch : List.of("7", "1", "auto")) {
      Map<String, Map<Long, float[]>> other = byBatch.get(batch);
      // ONNX Runtime's kernels give the same bits whatever the batch; libtorch's within 1e-5
      assertEquals(0.0, maxDiff(other.get("onnx"), base.get("onnx"), 0, 9), "onnx, batch " + batch);
      double torch = maxDiff(other.get("torchscript"), base.get("torchscript"), 0, 9);
      assertTrue(torch <= 1e-5, "torchscript, batch " + batch + ": " + torch);
    }
  }

  /**
   * Task {@code embedding} end to end: the run's own report compares the TorchScript twin's
   * embeddings with the ONNX export's, key by key (the same network: cosine 1, same neighbours).
   */
  @Test
  void theRunsReportComparesTheTwinsEmbeddings() throws Exception {
    String table = dir.resolve("embeddings").toString();
    Path report = dir.resolve("report");
    JobSpecBuilder job =
        JobSpecBuilder.create()
            .input(input)
            .key("id")
            .model(embeddingModel("onnx", "recsys.onnx"))
            .model(embeddingModel("torchscript", "recsys.pt"))
            .output(table)
            .report(report)
            .reportBaseline("recsys:onnx");
    for (String id : Recsys.ID_INPUTS) {
      job.features(id, id);
    }
    job.features(Recsys.NUMERIC_INPUT, "numeric");
    Cli run =
        Cli.run(
            "run",
            "--job",
            job.writeTo(dir.resolve("job-embedding.yaml")).toString(),
            "--ds",
            "2026-11-24");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("  report " + report.resolve("report.html")), run.out());

    // the embedding column, prediction null, as the task says
    Row counts =
        spark
            .sql(
                "SELECT count(*), count(prediction), count(embedding), min(size(embedding))"
                    + " FROM delta.`"
                    + table
                    + "`")
            .first();
    assertEquals(2L * rows.size(), counts.getLong(0));
    assertEquals(0L, counts.getLong(1));
    assertEquals(2L * rows.size(), counts.getLong(2));
    assertEquals(Recsys.EMBEDDING, counts.getInt(3));

    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Files.readString(report.resolve("report.json")));
    com.fasterxml.jackson.databind.JsonNode twin = null;
    for (com.fasterxml.jackson.databind.JsonNode v : json.get("versions")) {
      if (v.get("model").asText().equals("recsys:torchscript")) {
        twin = v.get("embeddings");
      }
    }
    assertTrue(twin != null, json.toPrettyString());
    assertEquals(rows.size(), twin.get("keys").asInt());
    assertEquals(1.0, twin.get("cosine_mean").asDouble(), 1e-4);
    assertEquals(1.0, twin.get("cosine_p1").asDouble(), 1e-3);
    assertEquals(1.0, twin.get("nn_overlap").asDouble(), 0.02, twin.toString());
    assertTrue(Files.readString(report.resolve("report.md")).contains("Embedding similarity"));
  }

  static JobSpecBuilder.Model embeddingModel(String version, String file) {
    JobSpecBuilder.Model m =
        JobSpecBuilder.Model.of("recsys", version)
            .path(dir.resolve(file))
            .output("embedding")
            .task("embedding");
    Recsys.VOCAB.forEach(m::vocabSize);
    return m;
  }
}
