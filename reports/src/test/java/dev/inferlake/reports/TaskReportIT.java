package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reports on prediction tables of the newer tasks, built directly as Delta tables with the {@code
 * predictions ARRAY<DOUBLE>} and {@code embedding ARRAY<FLOAT>} columns: three versions' embeddings
 * compared, their figures checked against the same figures computed here from the rows; and
 * multilabel and multi-target predictions evaluated against array labels.
 */
class TaskReportIT {
  static final LocalDate DS = LocalDate.parse("2026-03-02");
  static final int N = 600; // fewer than the neighbour sample: every key is in it
  static final int D = 8;
  static final Path OUT = Path.of("target", "task-report-it");
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("prediction", DataTypes.DoubleType)
          .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false))
          .add("predictions", DataTypes.createArrayType(DataTypes.DoubleType, false))
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false))
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType)
          .add("model_digest", DataTypes.StringType)
          .add("run_id", DataTypes.StringType)
          .add("ds", DataTypes.DateType)
          .add("scored_at", DataTypes.TimestampType);

  static final float[][] v1 = new float[N][D];
  static final float[][] v2 = new float[N][D];
  static final float[][] v3 = new float[N][4];
  static Report report;
  static ReportWriter.Written written;

  @BeforeAll
  static void build() throws Exception {
    SparkSession spark = TestSpark.session();
    Files.createDirectories(OUT);
    ReportIT.deleteTree(OUT.resolve("embeddings"));
    String table = OUT.resolve("embeddings").toAbsolutePath().toString();
    Random r = new Random(5);
    for (int i = 0; i < N; i++) {
      for (int d = 0; d < D; d++) {
        v1[i][d] = (float) r.nextGaussian();
        // v2: v1 with noise, and every 20th key turned around
        v2[i][d] = (float) ((i % 20 == 0 ? -1 : 1) * v1[i][d] + 0.4 * r.nextGaussian());
      }
      // v3: another width, four of v1's dimensions
      System.arraycopy(v1[i], 0, v3[i], 0, 4);
    }
    List<Row> rows = new ArrayList<>();
    add(rows, "v1", v1);
    add(rows, "v2", v2);
    add(rows, "v3", v3);
    spark.createDataFrame(rows, SCHEMA).write().format("delta").save(table);
    report = new ReportBuilder(spark).build(ReportRequest.of(table).withBaseline("v1"));
    written = ReportWriter.write(report, OUT.resolve("report"));
  }

  static void add(List<Row> rows, String v, float[][] e) {
    for (int i = 0; i < N; i++) {
      List<Float> boxed = new ArrayList<>();
      for (float x : e[i]) {
        boxed.add(x);
      }
      rows.add(
          RowFactory.create(
              (long) i,
              null,
              null,
              null,
              boxed,
              "emb",
              v,
              "sha256:" + v,
              "run-1",
              java.sql.Date.valueOf(DS),
              java.sql.Timestamp.from(Instant.parse(DS + "T03:00:00Z"))));
    }
  }

  @Test
  void perKeyCosineMatchesTheRows() {
    assertEquals("embedding", report.kind());
    assertEquals("emb:v1", report.baseline());
    Report.VersionReport two = version("emb:v2");
    double[] cos = new double[N];
    double sum = 0;
    for (int i = 0; i < N; i++) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int d = 0; d < D; d++) {
        dot += (double) v1[i][d] * v2[i][d];
        na += (double) v1[i][d] * v1[i][d];
        nb += (double) v2[i][d] * v2[i][d];
      }
      cos[i] = dot / Math.sqrt(na * nb);
      sum += cos[i];
    }
    Arrays.sort(cos);
    double p1 = cos[(int) Math.ceil(0.01 * N) - 1];
    double p5 = cos[(int) Math.ceil(0.05 * N) - 1];
    assertTrue(p1 < 0, "the turned-around keys are the least similar: " + p1);
    EmbeddingComparison c = two.embeddings();
    assertNotNull(c);
    assertEquals(N, c.keys());
    assertEquals(N, c.cosine().keys());
    assertEquals(sum / N, c.cosine().mean(), 1e-9);
    assertEquals(sum / N, two.metric("embedding_cosine_mean"), 1e-9);
    // percentiles are bin lower edges, at most one bin below the exact value
    assertTrue(c.cosine().p1() <= p1 + 1e-12 && c.cosine().p1() > p1 - 1e-4, c + " vs " + p1);
    assertTrue(c.cosine().p5() <= p5 + 1e-12 && c.cosine().p5() > p5 - 1e-4, c + " vs " + p5);
    assertNull(version("emb:v1").embeddings(), "the baseline is not compared with itself");
    assertNull(version("emb:v1").metric("psi_vs_baseline"), "no scores, no PSI");
  }

  @Test
  void nearestNeighbourOverlapMatchesABruteForceOverEveryKey() {
    EmbeddingComparison two = version("emb:v2").embeddings();
    assertEquals(N, two.sampleKeys());
    assertEquals(10, two.neighbours());
    double expected = overlap(v1, v2, 10);
    assertEquals(expected, two.neighbourOverlap(), 1e-12);
    assertTrue(expected > 0.05 && expected < 0.95, "a telling case: " + expected);
    assertEquals(expected, version("emb:v2").metric("embedding_nn_overlap"), 1e-12);
    // another width: no cosine, but neighbours still compare
    EmbeddingComparison three = version("emb:v3").embeddings();
    assertNull(three.cosine());
    assertNull(version("emb:v3").metric("embedding_cosine_mean"));
    assertEquals(overlap(v1, v3, 10), three.neighbourOverlap(), 1e-12);
    assertTrue(
        report.notes().stream()
            .anyMatch(n -> n.contains("emb:v3") && n.contains("differ in width (8 and 4)")),
        report.notes().toString());
  }

  @Test
  void markdownHtmlAndJsonShowTheEmbeddingSimilarity() throws Exception {
    EmbeddingComparison c = version("emb:v2").embeddings();
    String mean = String.format(Locale.ROOT, "%.4f", c.cosine().mean());
    String nn = String.format(Locale.ROOT, "%.4f", c.neighbourOverlap());
    String md = Files.readString(written.markdown());
    assertTrue(md.contains("## Embedding similarity"), md);
    assertTrue(md.contains("| emb:v2 | 600 | " + mean + " |"), md);
    assertTrue(md.contains(nn), md);
    assertTrue(md.contains("10 nearest neighbours") && md.contains("1,000 keys"), md);
    assertTrue(!md.contains("## Agreement"), "embeddings only: no prediction values to agree on");
    String html = Files.readString(written.html());
    assertTrue(html.contains("<h2>Embedding similarity</h2>"), html);
    assertTrue(html.contains("<td>" + mean + "</td>"), html);
    assertTrue(!html.contains("chart-histogram"), "no scores, no score histogram");
    JsonNode json = new ObjectMapper().readTree(written.json().toFile());
    JsonNode v2 = json.get("versions").get(1);
    assertEquals("emb:v2", v2.get("model").asText());
    assertEquals(c.cosine().mean(), v2.get("embeddings").get("cosine_mean").asDouble(), 1e-12);
    assertEquals(600, v2.get("embeddings").get("sample_keys").asInt());
    assertEquals(
        c.cosine().mean(), v2.get("metrics").get("embedding_cosine_mean").asDouble(), 1e-12);
  }

  @Test
  void multilabelAndMultiTargetPredictionsAgainstArrayLabels() {
    SparkSession spark = TestSpark.session();
    StructType preds =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("prediction", DataTypes.DoubleType)
            .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false))
            .add("predictions", DataTypes.createArrayType(DataTypes.DoubleType, false))
            .add("model_name", DataTypes.StringType)
            .add("model_version", DataTypes.StringType);
    List<Row> p = new ArrayList<>();
    List<Row> tagLabels = new ArrayList<>();
    // the four rows worked out in TaskMetricsTest, then three whose label is unusable
    for (int i = 0; i < 4; i++) {
      p.add(tagRow(i, TaskMetricsTest.ML_PREDICTIONS[i]));
      tagLabels.add(RowFactory.create((long) i, boxed(TaskMetricsTest.ML_LABELS[i])));
    }
    p.add(tagRow(4, new double[] {1, 1, 1}));
    tagLabels.add(RowFactory.create(4L, List.of(1.0, 1.0))); // another length
    p.add(tagRow(5, new double[] {1, 1, 1}));
    tagLabels.add(RowFactory.create(5L, List.of(1.0, 2.0, 0.0))); // not 0 or 1
    p.add(tagRow(6, new double[] {1, 1, 1}));
    tagLabels.add(RowFactory.create(6L, Arrays.asList(1.0, null, 0.0))); // a null
    StructType labelSchema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("y", DataTypes.createArrayType(DataTypes.DoubleType, true));
    Map<String, Evaluation> tags =
        Evaluator.evaluate(
            spark.createDataFrame(p, preds),
            spark.createDataFrame(tagLabels, labelSchema),
            List.of("id"),
            "y");
    Evaluation t = tags.get("tags:1");
    assertEquals(4, t.labelledRows());
    assertEquals(3, t.unusableLabels());
    Evaluation.Multilabel m = t.multilabel();
    assertArrayEquals(new long[] {2, 1, 0}, m.truePositives());
    assertArrayEquals(new long[] {0, 0, 1}, m.falsePositives());
    assertArrayEquals(new long[] {0, 1, 1}, m.falseNegatives());
    assertEquals(2.0 / 3, m.f1Micro(), 1e-12);
    assertEquals(5.0 / 9, m.f1Macro(), 1e-12);
    assertEquals(0.25, m.hammingLoss(), 1e-12);
    assertEquals(0.5, m.subsetAccuracy(), 1e-12);

    // two targets over four rows: target 0 labels 1,3,5,7 (variance 5), errors +-1;
    // target 1 labels all 2, errors +-0.5 -> rmse (1, 0.5), mae (1, 0.5), r2 (0.8, none)
    List<Row> q = new ArrayList<>();
    List<Row> ys = new ArrayList<>();
    double[][] labels = {{1, 2}, {3, 2}, {5, 2}, {7, 2}};
    double[][] errors = {{1, 0.5}, {-1, -0.5}, {1, 0.5}, {-1, -0.5}};
    for (int i = 0; i < 4; i++) {
      q.add(
          RowFactory.create(
              (long) i,
              null,
              null,
              List.of(labels[i][0] + errors[i][0], labels[i][1] + errors[i][1]),
              "reg2",
              "1"));
      ys.add(RowFactory.create((long) i, boxed(labels[i])));
    }
    Evaluation.MultiTarget mt =
        Evaluator.evaluate(
                spark.createDataFrame(q, preds),
                spark.createDataFrame(ys, labelSchema),
                List.of("id"),
                "y")
            .get("reg2:1")
            .multiTarget();
    assertArrayEquals(new double[] {1, 0.5}, mt.rmse(), 1e-12);
    assertArrayEquals(new double[] {1, 0.5}, mt.mae(), 1e-12);
    assertEquals(0.8, mt.r2()[0], 1e-12);
    assertTrue(Double.isNaN(mt.r2()[1]));
    assertEquals(0.8, mt.r2Mean(), 1e-12);
  }

  static Row tagRow(long id, double[] predicted) {
    List<Float> probs = new ArrayList<>();
    for (double x : predicted) {
      probs.add(x == 1 ? 0.9f : 0.1f);
    }
    return RowFactory.create(id, null, probs, boxed(predicted), "tags", "1");
  }

  static List<Double> boxed(double[] v) {
    List<Double> l = new ArrayList<>();
    for (double x : v) {
      l.add(x);
    }
    return l;
  }

  static Report.VersionReport version(String label) {
    return report.versions().stream()
        .filter(v -> v.label().equals(label))
        .findFirst()
        .orElseThrow();
  }

  /** Mean share of common k nearest neighbours by cosine, by sorting every key's similarities. */
  static double overlap(float[][] a, float[][] b, int k) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      Set<Integer> na = new HashSet<>(neighbours(a, i, k));
      int common = 0;
      for (int j : neighbours(b, i, k)) {
        common += na.contains(j) ? 1 : 0;
      }
      sum += (double) common / k;
    }
    return sum / a.length;
  }

  static List<Integer> neighbours(float[][] v, int i, int k) {
    double[] sim = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      double dot = 0;
      double ni = 0;
      double nj = 0;
      for (int d = 0; d < v[i].length; d++) {
        dot += (double) v[i][d] * v[j][d];
        ni += (double) v[i][d] * v[i][d];
        nj += (double) v[j][d] * v[j][d];
      }
      sim[j] = dot / Math.sqrt(ni * nj);
    }
    return IntStream.range(0, v.length)
        .filter(j -> j != i)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer j) -> -sim[j]).thenComparing(j -> j))
        .limit(k)
        .toList();
  }
}
