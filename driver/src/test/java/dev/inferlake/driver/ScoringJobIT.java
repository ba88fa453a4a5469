package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.model.testing.TestModels.LinearModel;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the CLI on a real local Spark, real Delta tables and real ONNX Runtime:
 * Parquet in, every model version scored in one pass, Delta out.
 */
class ScoringJobIT {
  static final int ROWS = 2_000;
  static final int FEATURES = 6;

  @TempDir static Path dir;
  static SparkSession spark;
  static float[][] x;
  static LinearModel v1;
  static LinearModel v2;
  static Path job;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    Random r = new Random(42);
    x = new float[ROWS][FEATURES];
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = (float) r.nextGaussian();
      }
      rows.add(RowFactory.create("key-" + i, toList(x[i]), "text"));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("name", DataTypes.StringType);
    // Three files, so scoring runs several tasks.
    spark
        .createDataFrame(rows, schema)
        .repartition(3)
        .write()
        .parquet(dir.resolve("input").toString());

    v1 = TestModels.linear(FEATURES, 3, 1);
    v2 = TestModels.linear(FEATURES, 3, 2);
    v1.writeTo(dir.resolve("models"), "m-v1.onnx");
    v2.writeTo(dir.resolve("models"), "m-v2.onnx");
    job =
        JobSpecBuilder.create()
            .input(dir.resolve("input"))
            .key("id")
            .features("input", "features")
            .model("m", "v1", dir.resolve("models/m-v1.onnx"))
            .model("m", "v2", dir.resolve("models/m-v2.onnx"))
            .output(dir.resolve("predictions"))
            .batchSize(64)
            .writeTo(dir.resolve("job.yaml"));
  }

  static List<Float> toList(float[] v) {
    List<Float> l = new ArrayList<>();
    for (float f : v) {
      l.add(f);
    }
    return l;
  }

  static String table(String name) {
    return dir.resolve(name).toString();
  }

  static long count(String table, String where) {
    return spark.read().format("delta").load(table).where(where).count();
  }

  /** Key -> (prediction, probabilities) for one model version of one date. */
  static Map<String, Object[]> predictions(String table, String version, String ds) {
    Map<String, Object[]> out = new HashMap<>();
    for (Row row :
        spark
            .read()
            .format("delta")
            .load(table)
            .where("model_version = '" + version + "' AND ds = DATE'" + ds + "'")
            .select("id", "prediction", "probabilities")
            .collectAsList()) {
      List<Float> p = row.getList(2);
      float[] probs = new float[p.size()];
      for (int i = 0; i < probs.length; i++) {
        probs[i] = p.get(i);
      }
      out.put(row.getString(0), new Object[] {row.getDouble(1), probs});
    }
    return out;
  }

  @Test
  void everyRowOfEveryVersionMatchesAPlainOnnxRuntimeSession() throws Exception {
    String table = table("predictions");
    Cli run = Cli.run("run", "--job", job.toString(), "--ds", "2026-01-01");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("2,000 rows x 2 model version(s)"), run.out());

    assertEquals(ROWS * 2L, count(table, "true"));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    for (LinearModel lm : List.of(v1, v2)) {
      String version = lm == v1 ? "v1" : "v2";
      Map<String, Object[]> got = predictions(table, version, "2026-01-01");
      assertEquals(ROWS, got.size(), "one row per key for " + version);
      try (OrtSession plain = env.createSession(lm.onnxBytes(), new OrtSession.SessionOptions())) {
        for (int i = 0; i < ROWS; i++) {
          float[] expected;
          try (OnnxTensor t = OnnxTensor.createTensor(env, new float[][] {x[i]});
              OrtSession.Result res = plain.run(Map.of("input", t))) {
            expected = ((float[][]) res.get(0).getValue())[0];
          }
          Object[] row = got.get("key-" + i);
          assertArrayEquals(expected, (float[]) row[1], 1e-6f, version + " key-" + i);
          int best = 0;
          for (int c = 1; c < expected.length; c++) {
            best = expected[c] > expected[best] ? c : best;
          }
          assertEquals(best, (double) row[0], version + " key-" + i);
          // And against the model's arithmetic done without ONNX Runtime.
          assertEquals(lm.expected(x[i])[best], expected[best], 1e-5);
        }
      }
    }

    Row meta =
        spark
            .read()
            .format("delta")
            .load(table)
            .select("model_name", "model_digest", "run_id", "scored_at")
            .distinct()
            .orderBy("model_digest")
            .collectAsList()
            .get(0);
    assertEquals("m", meta.getString(0));
    assertTrue(meta.getString(1).startsWith("sha256:"));
    String history =
        DeltaTable.forPath(spark, table).history(1).select("userMetadata").head().getString(0);
    assertTrue(history.contains("\"ds\":\"2026-01-01\""), history);
    assertTrue(history.contains(meta.getString(2)), "commit metadata names the run id: " + history);
  }

  @Test
  void aRerunReplacesItsDateAndAnotherDateAddsOne() {
    String table = table("reruns");
    String[] base = {"run", "--job", job.toString(), "--set", "output.table=" + table};
    assertEquals(0, Cli.run(concat(base, "--ds", "2026-02-01")).exitCode());
    assertEquals(ROWS * 2L, count(table, "true"));

    assertEquals(0, Cli.run(concat(base, "--ds", "2026-02-01")).exitCode());
    assertEquals(ROWS * 2L, count(table, "true"), "a rerun of the same ds must not duplicate rows");
    assertEquals(1, spark.read().format("delta").load(table).select("run_id").distinct().count());

    assertEquals(0, Cli.run(concat(base, "--ds", "2026-01-31")).exitCode());
    assertEquals(ROWS * 4L, count(table, "true"));
    assertEquals(ROWS * 2L, count(table, "ds = DATE'2026-01-31'"));

    // A rerun of only v1 replaces only v1's rows of that date.
    assertEquals(
        0,
        Cli.run(
                concat(
                    base,
                    "--ds",
                    "2026-01-31",
                    "--set",
                    "models=[{name: m, version: v1, path: "
                        + dir.resolve("models/m-v1.onnx")
                        + "}]"))
            .exitCode());
    assertEquals(ROWS * 4L, count(table, "true"));
    assertEquals(
        2,
        spark
            .read()
            .format("delta")
            .load(table)
            .where("ds = DATE'2026-01-31'")
            .select("run_id")
            .distinct()
            .count(),
        "v2's rows keep the earlier run's id");
  }

  @Test
  void batchSizeOneAndManyGiveIdenticalPredictionsWithShortBatchesAndEmptyPartitions() {
    // Tiny splits leave most input partitions without a row group: empty partitions.
    spark.conf().set("spark.sql.files.maxPartitionBytes", "4k");
    try {
      int partitions =
          spark.read().parquet(dir.resolve("input").toString()).rdd().getNumPartitions();
      assertTrue(partitions > 3, "expected empty partitions beside the 3 files, got " + partitions);
      String one = table("batch1");
      String many = table("batch7");
      assertEquals(
          0,
          Cli.run(
                  "run",
                  "--job",
                  job.toString(),
                  "--ds",
                  "2026-03-01",
                  "--set",
                  "output.table=" + one,
                  "--set",
                  "batch_size=1",
                  "--set",
                  "partitioning.mode=spark")
              .exitCode());
      // 7 does not divide any file's row count: every partition ends with a short batch.
      assertEquals(
          0,
          Cli.run(
                  "run",
                  "--job",
                  job.toString(),
                  "--ds",
                  "2026-03-01",
                  "--set",
                  "output.table=" + many,
                  "--set",
                  "batch_size=7",
                  "--set",
                  "partitioning.mode=spark")
              .exitCode());
      for (String v : List.of("v1", "v2")) {
        Map<String, Object[]> a = predictions(one, v, "2026-03-01");
        Map<String, Object[]> b = predictions(many, v, "2026-03-01");
        assertEquals(ROWS, a.size());
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
          assertEquals(a.get(k)[0], b.get(k)[0], k);
          assertArrayEquals((float[]) a.get(k)[1], (float[]) b.get(k)[1], 1e-6f, k);
        }
      }
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
    }
  }

  @Test
  void twoHundredPartitionsAndTwoVersionsLoadTwoSessionsPerExecutorJvm() throws Exception {
    // Versions no other test loaded, so this JVM's cache has to load them here.
    TestModels.linear(FEATURES, 3, 3).writeTo(dir.resolve("models"), "m-v3.onnx");
    TestModels.linear(FEATURES, 3, 4).writeTo(dir.resolve("models"), "m-v4.onnx");
    String input = dir.resolve("input-200").toString();
    spark.read().parquet(dir.resolve("input").toString()).repartition(200).write().parquet(input);
    spark.conf().set("spark.sql.files.maxPartitionBytes", "1k");
    try {
      int partitions = spark.read().parquet(input).rdd().getNumPartitions();
      assertTrue(partitions >= 200, "expected at least 200 partitions, got " + partitions);
      Cli run =
          Cli.run(
              "run",
              "--job",
              job.toString(),
              "--ds",
              "2026-04-01",
              "--set",
              "input.path=" + input,
              "--set",
              "output.table=" + table("sessions"),
              "--set",
              "partitioning.mode=spark",
              "--set",
              "models=[{name: m, version: v3, path: "
                  + dir.resolve("models/m-v3.onnx")
                  + "}, {name: m, version: v4, path: "
                  + dir.resolve("models/m-v4.onnx")
                  + "}]");
      assertEquals(0, run.exitCode(), run.err());
      // 200 files with one row group each: 200 partitions hold rows, each acquires 2 runners.
      assertTrue(run.out().contains("2 load(s) {driver=2}"), run.out());
      assertTrue(run.out().contains(" 398 cache hit(s)"), run.out());
      assertEquals(ROWS * 2L, count(table("sessions"), "true"));
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
    }
  }

  @Test
  void aDeltaInputScoresLikeParquet() {
    String input = table("input-delta");
    spark.read().parquet(dir.resolve("input").toString()).write().format("delta").save(input);
    String out = table("from-delta");
    Cli run =
        Cli.run(
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-06-01",
            "--set",
            "input.format=delta",
            "--set",
            "input.path=" + input,
            "--set",
            "output.table=" + out);
    assertEquals(0, run.exitCode(), run.err());
    Map<String, Object[]> fromDelta = predictions(out, "v1", "2026-06-01");
    assertEquals(ROWS, fromDelta.size());
    for (int i = 0; i < ROWS; i += 97) {
      double[] expected = v1.expected(x[i]);
      assertEquals(expected[1], ((float[]) fromDelta.get("key-" + i)[1])[1], 1e-5, "key-" + i);
    }
  }

  static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
