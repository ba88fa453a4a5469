package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.testing.MultiOutputModel;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction table with several outputs and tasks (issue 18), end to end through the CLI on
 * real local Spark, Delta and ONNX Runtime: outputs stored by name and read in SQL, each task's
 * columns, the table's schema evolving across versions, and tables written before all this.
 * Expected values are computed from the models' weights in Java, without ONNX Runtime.
 */
class PredictionTableIT {
  static final int ROWS = 300;
  static final int FEATURES = 4;
  static final int CLASSES = 3;
  static final int DIM = 5;
  static final List<String> ALL = List.of("logits", "embedding", "score", "top", "positive");

  @TempDir static Path dir;
  static SparkSession spark;
  static float[][] x;
  static MultiOutputModel v1;
  static MultiOutputModel v2;

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    Random r = new Random(18);
    x = new float[ROWS][FEATURES];
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      List<Float> f = new ArrayList<>();
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = (float) r.nextGaussian();
        f.add(x[i][j]);
      }
      rows.add(RowFactory.create("key-" + i, f));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(path("input"));
    v1 = MultiOutputModel.random(FEATURES, CLASSES, DIM, 1);
    v2 = MultiOutputModel.random(FEATURES, CLASSES, DIM, 2);
  }

  static String path(String name) {
    return dir.resolve(name).toString();
  }

  /** Writes {@code m} exposing {@code outputs} as {@code models/<file>}. */
  static Path model(MultiOutputModel m, String file, List<String> outputs, boolean embDouble) {
    return m.writeTo(dir.resolve("models"), file, outputs, embDouble);
  }

  static JobSpecBuilder job(String table) {
    return JobSpecBuilder.create()
        .input(dir.resolve("input"))
        .key("id")
        .features("input", "features")
        .output(table)
        .batchSize(64);
  }

  static Cli run(JobSpecBuilder job, String name, String ds) {
    Path file = job.writeTo(dir.resolve(name + ".yaml"));
    return Cli.run("run", "--job", file.toString(), "--ds", ds);
  }

  static List<Row> sql(String query) {
    return spark.sql(query).collectAsList();
  }

  static int key(Row r) {
    return Integer.parseInt(r.getString(0).substring(4));
  }

  static float[] floats(Row r, int i) {
    List<Float> l = r.getList(i);
    float[] out = new float[l.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = l.get(k);
    }
    return out;
  }

  static void assertClose(double[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what);
    for (int k = 0; k < want.length; k++) {
      assertEquals(want[k], got[k], 1e-5, what + " [" + k + "]");
    }
  }

  @Test
  void twoVersionsStoreTwoOutputsEachReadBackByNameInSql() {
    String table = path("two-outputs");
    JobSpecBuilder job =
        job(table)
            .model(
                JobSpecBuilder.Model.of("m", "v1")
                    .path(model(v1, "two-v1.onnx", ALL, false))
                    .output("logits")
                    .classNames("ant", "bee", "cat")
                    .outputs("logits", "embedding"))
            .model(
                JobSpecBuilder.Model.of("m", "v2")
                    .path(model(v2, "two-v2.onnx", ALL, false))
                    .output("logits")
                    .classNames("ant", "bee", "cat")
                    .outputs("logits", "embedding"));
    Cli run = run(job, "two-outputs", "2026-03-01");
    assertEquals(0, run.exitCode(), run.err());

    List<Row> rows =
        sql(
            "SELECT id, model_version, outputs.logits, outputs.embedding, prediction, label"
                + " FROM delta.`"
                + table
                + "`");
    assertEquals(2 * ROWS, rows.size());
    for (Row r : rows) {
      MultiOutputModel m = r.getString(1).equals("v1") ? v1 : v2;
      float[] in = x[key(r)];
      String what = r.getString(1) + " " + r.getString(0);
      assertClose(m.logits(in), floats(r, 2), what + " logits");
      assertClose(m.embedding(in), floats(r, 3), what + " embedding");
      assertEquals((double) m.top(in), r.getDouble(4), what);
      assertEquals(List.of("ant", "bee", "cat").get((int) m.top(in)), r.getString(5), what);
    }
    StructType outputs =
        (StructType) spark.read().format("delta").load(table).schema().apply("outputs").dataType();
    assertEquals("struct<logits:array<float>,embedding:array<float>>", outputs.simpleString());
  }

  @Test
  void everyTaskWritesItsColumns() {
    String table = path("tasks");
    Path all = model(v1, "tasks.onnx", ALL, false);
    JobSpecBuilder job =
        job(table)
            .model(
                JobSpecBuilder.Model.of("emb", "v1")
                    .path(all)
                    .output("embedding")
                    .task("embedding")
                    .normalize("l2"))
            .model(
                JobSpecBuilder.Model.of("bin", "v1")
                    .path(all)
                    .output("score")
                    .task("binary")
                    .logits(true)
                    .threshold(0.3)
                    .classNames("no", "yes"))
            .model(
                JobSpecBuilder.Model.of("multi", "v1")
                    .path(all)
                    .output("logits")
                    .task("multilabel")
                    .logits(true))
            .model(
                JobSpecBuilder.Model.of("reg", "v1")
                    .path(all)
                    .output("embedding")
                    .task("regressor"))
            .model(
                JobSpecBuilder.Model.of("raw", "v1")
                    .path(all)
                    .task("raw")
                    .outputs("top", "positive", "score"));
    Cli run = run(job, "tasks", "2026-03-02");
    assertEquals(0, run.exitCode(), run.err());

    Map<String, List<Row>> byModel = new HashMap<>();
    for (Row r :
        sql(
            "SELECT id, model_name, prediction, probabilities, label, predictions, embedding,"
                + " outputs.top, outputs.positive, outputs.score FROM delta.`"
                + table
                + "`")) {
      byModel.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r);
    }
    for (List<Row> rows : byModel.values()) {
      assertEquals(ROWS, rows.size());
    }
    for (Row r : byModel.get("emb")) {
      double[] e = v1.embedding(x[key(r)]);
      double norm = Math.sqrt(Arrays.stream(e).map(v -> v * v).sum());
      assertTrue(r.isNullAt(2), "an embedding has no prediction");
      assertClose(Arrays.stream(e).map(v -> v / norm).toArray(), floats(r, 6), "embedding");
      assertTrue(r.isNullAt(3) && r.isNullAt(4) && r.isNullAt(5) && r.isNullAt(7));
    }
    int positives = 0;
    for (Row r : byModel.get("bin")) {
      double p = 1 / (1 + Math.exp(-v1.score(x[key(r)])));
      double want = p >= 0.3 ? 1 : 0;
      positives += (int) want;
      assertEquals(want, r.getDouble(2), r.getString(0));
      float[] probs = floats(r, 3);
      assertEquals(1 - p, probs[0], 1e-5);
      assertEquals(p, probs[1], 1e-5);
      assertEquals(want == 1 ? "yes" : "no", r.getString(4));
    }
    assertTrue(positives > 0 && positives < ROWS, "both classes occur: " + positives);
    for (Row r : byModel.get("multi")) {
      double[] z = v1.logits(x[key(r)]);
      List<Double> on = r.getList(5);
      int count = 0;
      for (int k = 0; k < CLASSES; k++) {
        double want = z[k] >= 0 ? 1 : 0; // sigmoid(z) >= 0.5
        count += (int) want;
        assertEquals(want, on.get(k), r.getString(0) + " label " + k);
      }
      assertEquals(count, r.getDouble(2));
    }
    for (Row r : byModel.get("reg")) {
      double[] e = v1.embedding(x[key(r)]);
      List<Double> got = r.getList(5);
      assertTrue(r.isNullAt(2), "several targets leave prediction null");
      for (int k = 0; k < DIM; k++) {
        assertEquals(e[k], got.get(k), 1e-5);
      }
    }
    for (Row r : byModel.get("raw")) {
      float[] in = x[key(r)];
      assertTrue(r.isNullAt(2));
      assertEquals(v1.top(in), r.getLong(7));
      List<Boolean> positive = r.getList(8);
      double[] z = v1.logits(in);
      for (int k = 0; k < CLASSES; k++) {
        assertEquals(z[k] > 0, positive.get(k));
      }
      assertEquals(v1.score(in), r.getFloat(9), 1e-5, "a [-1, 1] output is a scalar");
    }
    StructType schema = spark.read().format("delta").load(table).schema();
    assertTrue(schema.apply("prediction").nullable());
    assertEquals("array<double>", schema.apply("predictions").dataType().simpleString());
    assertEquals("array<float>", schema.apply("embedding").dataType().simpleString());
    assertEquals("string", schema.apply("label").dataType().simpleString());
    assertEquals(
        "struct<top:bigint,positive:array<boolean>,score:float>",
        schema.apply("outputs").dataType().simpleString());
  }

  @Test
  void versionsThatAddOrDropAnOutputEvolveTheTableAndAChangedTypeIsRefused() {
    String table = path("evolving");
    JobSpecBuilder v1job =
        job(table)
            .model(
                JobSpecBuilder.Model.of("m", "v1")
                    .path(model(v1, "evo-v1.onnx", List.of("logits", "score"), false))
                    .output("logits")
                    .outputs("logits"));
    assertEquals(0, run(v1job, "evo-v1", "2026-03-03").exitCode());

    JobSpecBuilder v2job =
        job(table)
            .model(
                JobSpecBuilder.Model.of("m", "v2")
                    .path(model(v2, "evo-v2.onnx", ALL, false))
                    .output("logits")
                    .outputs("logits", "embedding", "top"));
    Cli two = run(v2job, "evo-v2", "2026-03-03");
    assertEquals(0, two.exitCode(), two.err());

    JobSpecBuilder v3job =
        job(table)
            .model(
                JobSpecBuilder.Model.of("m", "v3")
                    .path(model(v1, "evo-v3.onnx", List.of("logits", "score"), false))
                    .output("logits")
                    .outputs("logits"));
    Cli three = run(v3job, "evo-v3", "2026-03-03");
    assertEquals(0, three.exitCode(), three.err());

    StructType outputs =
        (StructType) spark.read().format("delta").load(table).schema().apply("outputs").dataType();
    assertEquals(
        "struct<logits:array<float>,embedding:array<float>,top:bigint>", outputs.simpleString());
    Map<String, long[]> counts = new HashMap<>();
    for (Row r :
        sql(
            "SELECT model_version, count(*), count(outputs.logits), count(outputs.embedding),"
                + " count(outputs.top) FROM delta.`"
                + table
                + "` GROUP BY model_version")) {
      counts.put(
          r.getString(0), new long[] {r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4)});
    }
    assertEquals(List.of(ROWS * 1L, ROWS * 1L, 0L, 0L), asList(counts.get("v1")), "v1 as written");
    assertEquals(List.of(ROWS * 1L, ROWS * 1L, ROWS * 1L, ROWS * 1L), asList(counts.get("v2")));
    assertEquals(List.of(ROWS * 1L, ROWS * 1L, 0L, 0L), asList(counts.get("v3")), "dropped: null");
    Row v2row =
        sql("SELECT id, outputs.embedding, outputs.top FROM delta.`"
                + table
                + "`"
                + " WHERE model_version = 'v2' AND id = 'key-7'")
            .get(0);
    assertClose(v2.embedding(x[7]), floats(v2row, 1), "v2 embedding");
    assertEquals(v2.top(x[7]), v2row.getLong(2));

    long before = DeltaTable.forPath(spark, table).history(1).head().getLong(0);
    JobSpecBuilder v4job =
        job(table)
            .model(
                JobSpecBuilder.Model.of("m", "v4")
                    .path(model(v2, "evo-v4.onnx", ALL, true))
                    .output("logits")
                    .outputs("embedding"));
    Cli four = run(v4job, "evo-v4", "2026-03-03");
    assertEquals(4, four.exitCode(), four.err());
    assertTrue(
        four.errorLine()
            .contains(
                "column 'outputs.embedding' of "
                    + table
                    + " is array<float>, but this run's models write it as array<double>"),
        four.errorLine());
    assertEquals(before, DeltaTable.forPath(spark, table).history(1).head().getLong(0));
    Cli plan =
        Cli.run("plan", "--job", dir.resolve("evo-v4.yaml").toString(), "--ds", "2026-03-03");
    assertEquals(4, plan.exitCode(), plan.err());
    assertEquals(four.errorLine(), plan.errorLine(), "plan refuses it as the run does");
    assertEquals(0, sql("SELECT 1 FROM delta.`" + table + "` WHERE model_version = 'v4'").size());
  }

  static List<Long> asList(long[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  @Test
  void aTableWrittenBeforeTasksKeepsItsSchemaForPlainRunsAndGainsColumnsForNewTasks() {
    String table = path("old-table");
    // A table as today's runs make it: a plain classifier's
    JobSpecBuilder plain =
        job(table).model("m", "v1", model(v1, "old-v1.onnx", List.of("logits"), false));
    assertEquals(0, run(plain, "old-plain", "2026-03-04").exitCode());
    StructType original = spark.read().format("delta").load(table).schema();
    assertEquals(
        List.of(
            "id",
            "prediction",
            "probabilities",
            "model_name",
            "model_version",
            "model_digest",
            "run_id",
            "ds",
            "scored_at"),
        Arrays.asList(original.fieldNames()));

    // a plain run again: the table's schema stays exactly as it was
    assertEquals(0, run(plain, "old-plain", "2026-03-05").exitCode());
    assertEquals(original, spark.read().format("delta").load(table).schema());

    // an embedding model: the embedding column is added, the earlier rows stay as they were
    Cli run = run(embeddingJob(table), "old-emb", "2026-03-05");
    assertEquals(0, run.exitCode(), run.err());
    StructType after = spark.read().format("delta").load(table).schema();
    StructField embedding = after.apply("embedding");
    assertEquals("array<float>", embedding.dataType().simpleString());
    assertEquals(
        List.of(ROWS * 2L, ROWS * 2L),
        List.of(
            sql("SELECT 1 FROM delta.`" + table + "` WHERE model_version = 'v1'").size() * 1L,
            sql("SELECT 1 FROM delta.`"
                        + table
                        + "` WHERE model_version = 'v1' AND prediction IS NOT NULL"
                        + " AND embedding IS NULL")
                    .size()
                * 1L),
        "the earlier rows are kept as they were");
    Row e =
        sql("SELECT prediction, embedding FROM delta.`"
                + table
                + "` WHERE model_version = 'v2' AND id = 'key-3'")
            .get(0);
    assertTrue(e.isNullAt(0));
    assertClose(v2.embedding(x[3]), floats(e, 1), "embedding");

    // and the plain model keeps scoring into it
    Cli again = run(plain, "old-plain", "2026-03-06");
    assertEquals(0, again.exitCode(), again.err());
    Row last =
        sql("SELECT count(*), count(prediction), count(embedding) FROM delta.`"
                + table
                + "` WHERE ds = DATE'2026-03-06'")
            .get(0);
    assertEquals(
        List.of((long) ROWS, (long) ROWS, 0L),
        List.of(last.getLong(0), last.getLong(1), last.getLong(2)));
  }

  static JobSpecBuilder embeddingJob(String table) {
    return job(table)
        .model(
            JobSpecBuilder.Model.of("m", "v2")
                .path(model(v2, "emb-v2.onnx", ALL, false))
                .output("embedding")
                .task("embedding"));
  }

  @Test
  void aTableHoldingPredictionNotNullIsRelaxedByTheFirstRunThatLeavesItNull() {
    String table = path("not-null");
    spark.sql(
        "CREATE TABLE delta.`"
            + table
            + "` (id STRING NOT NULL, prediction DOUBLE NOT NULL, probabilities ARRAY<FLOAT>,"
            + " model_name STRING NOT NULL, model_version STRING NOT NULL,"
            + " model_digest STRING NOT NULL, run_id STRING NOT NULL, ds DATE NOT NULL,"
            + " scored_at TIMESTAMP NOT NULL) USING delta"
            + " PARTITIONED BY (ds, model_name, model_version)");
    JobSpecBuilder plain =
        job(table).model("m", "v1", model(v1, "nn-v1.onnx", List.of("logits"), false));
    assertEquals(0, run(plain, "nn-plain", "2026-03-09").exitCode());
    StructType before = spark.read().format("delta").load(table).schema();
    assertFalse(before.apply("prediction").nullable(), "a plain run keeps the constraint");

    Cli run = run(embeddingJob(table), "nn-emb", "2026-03-09");
    assertEquals(0, run.exitCode(), run.err());
    StructType after = spark.read().format("delta").load(table).schema();
    assertTrue(after.apply("prediction").nullable());
    assertEquals(
        (long) ROWS,
        sql("SELECT 1 FROM delta.`" + table + "` WHERE model_version = 'v2' AND prediction IS NULL")
            .size());
    assertEquals(
        (long) ROWS, sql("SELECT 1 FROM delta.`" + table + "` WHERE model_version = 'v1'").size());
    String ops =
        DeltaTable.forPath(spark, table).history().select("operation").collectAsList().toString();
    assertTrue(ops.contains("CHANGE COLUMN"), "the relaxation is a commit of its own: " + ops);
  }

  @Test
  void aTaskDeclaredAtRegistrationAppliesAndAJobMayOverrideItsThreshold() {
    String registry = path("registry");
    Path file = model(v1, "reg-v1.onnx", ALL, false);
    Cli reg =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "m",
            "--version",
            "v1",
            "--task",
            "binary",
            "--task-output",
            "score",
            "--logits",
            "--class-names",
            "no,yes",
            file.toString());
    assertEquals(0, reg.exitCode(), reg.err());
    Cli inspect = Cli.run("model", "--registry", registry, "inspect", "m:v1");
    assertTrue(
        inspect.out().contains("task       binary output=score class_names=no,yes logits=true\n"),
        inspect.out());
    Cli compress =
        Cli.run(
            "model",
            "--registry",
            registry,
            "compress",
            "--from",
            "m:v1",
            "--to",
            "v1-fp16",
            "--method",
            "fp16");
    assertEquals(0, compress.exitCode(), compress.err());
    assertTrue(
        Cli.run("model", "--registry", registry, "inspect", "m:v1-fp16")
            .out()
            .contains("task       binary output=score class_names=no,yes logits=true\n"),
        "a compressed version serves its source's task");
    Cli bad =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "m",
            "--version",
            "v2",
            "--task",
            "classifier",
            "--task-output",
            "logits",
            "--class-names",
            "a,b",
            file.toString());
    assertEquals(4, bad.exitCode(), bad.err());
    assertEquals(
        "model 'm:v2': the task in the package names 2 classes, but output 'logits'"
            + " (float[-1, 3]) holds 3 values per row",
        bad.errorLine().substring(bad.errorLine().indexOf("model 'm:v2'")));
    assertFalse(java.nio.file.Files.exists(dir.resolve("registry/m/v2")), "nothing was registered");

    String table = path("registered");
    JobSpecBuilder job = job(table).registry(registry).model("m", "v1");
    assertEquals(0, run(job, "registered", "2026-03-07").exitCode());
    JobSpecBuilder strict =
        job(table).registry(registry).model(JobSpecBuilder.Model.of("m", "v1").threshold(0.9));
    assertEquals(0, run(strict, "registered-strict", "2026-03-08").exitCode());
    for (Row r :
        sql("SELECT id, ds, prediction, label, probabilities FROM delta.`" + table + "`")) {
      double p = 1 / (1 + Math.exp(-v1.score(x[key(r)])));
      double threshold = r.getDate(1).toString().equals("2026-03-07") ? 0.5 : 0.9;
      double want = p >= threshold ? 1 : 0;
      assertEquals(want, r.getDouble(2), r.getString(0) + " at " + threshold);
      assertEquals(want == 1 ? "yes" : "no", r.getString(3));
      assertEquals(p, floats(r, 4)[1], 1e-5);
    }
  }
}
