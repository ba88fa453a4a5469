package dev.inferlake.driver.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.executors.VersionBatches;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.testing.TestModels;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inferlake_predict} in a session built with {@code spark.sql.extensions}, against a real
 * job over the same rows and registry: the same predictions for two versions, the job's signature
 * policy taken from the session, and batched engine calls.
 */
class PredictFunctionIT {
  static final int ROWS = 3000;
  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;
  static String input;
  static String keys;
  static String table;

  static void ok(String... args) {
    Cli r = Cli.run(args);
    assertEquals(0, r.exitCode(), r.err());
  }

  @BeforeAll
  static void setUp() throws Exception {
    // Built before the shared test session, so the extension is what this JVM's session has.
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("inferlake-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.databricks.delta.snapshotPartitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config(
                "spark.sql.extensions",
                "io.delta.sql.DeltaSparkSessionExtension," + InferlakeSqlExtensions.class.getName())
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .getOrCreate();
    SparkSession shared = TestSpark.session();
    assertTrue(
        shared.conf().get("spark.sql.extensions").contains(InferlakeSqlExtensions.class.getName()),
        "another test class made this JVM's session first");

    registry = dir.resolve("registry").toString();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(RowFactory.create((long) i, i * 0.001, 1.0 - i * 0.002, Math.sin(i), 0.5));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType);
    for (String c : List.of("a", "b", "c", "d")) {
      schema = schema.add(c, DataTypes.DoubleType);
    }
    input = dir.resolve("in").toString();
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(input);

    keys = dir.resolve("keys").toString();
    Files.createDirectories(dir.resolve("keys"));
    ok(
        "model",
        "keygen",
        "--type",
        "signing",
        "--out",
        keys + "/sign.json",
        "--public-out",
        keys + "/sign.pub.json");
    TestModels.linear(4, 3, 41).writeTo(dir, "v1.onnx");
    TestModels.linear(4, 3, 42).writeTo(dir, "v2.onnx");
    for (String v : List.of("v1", "v2")) {
      ok(
          ModelRegistration.of(registry, "m", v, dir.resolve(v + ".onnx"))
              .signedWith(keys + "/sign.json")
              .args());
    }
    ok(ModelRegistration.of(registry, "m", "unsigned", dir.resolve("v2.onnx")).args());

    table = dir.resolve("out").toString();
    Path job =
        JobSpecBuilder.create()
            .input(dir.resolve("in"))
            .key("id")
            .features("input", "a", "b", "c", "d")
            .model("m", "v1")
            .model("m", "v2")
            .registry(registry)
            .requireSignature(true)
            .trustedKeys(keys + "/sign.pub.json")
            .output(table)
            .writeTo(dir.resolve("job.yaml"));
    ok("run", "--job", job.toString(), "--ds", "2026-07-01");
  }

  private void policy(boolean required) {
    spark.conf().set(PredictFunction.REGISTRY, registry);
    spark.conf().set(PredictFunction.REQUIRE_SIGNATURE, String.valueOf(required));
    spark.conf().set(PredictFunction.TRUSTED_KEYS, keys + "/sign.pub.json");
  }

  @AfterEach
  void clearPolicy() {
    spark.conf().unset(PredictFunction.REGISTRY);
    spark.conf().unset(PredictFunction.REQUIRE_SIGNATURE);
    spark.conf().unset(PredictFunction.TRUSTED_KEYS);
  }

  /** (id, version) to "prediction|probabilities|digest" of a query's rows. */
  private static Map<String, String> byKey(List<Row> rows) {
    Map<String, String> out = new HashMap<>();
    for (Row r : rows) {
      String k = r.getLong(0) + "/" + r.getString(1);
      String v = r.get(2) + "|" + r.getList(3) + "|" + r.getString(4);
      assertEquals(null, out.put(k, v), "two rows for " + k);
    }
    return out;
  }

  @Test
  void sqlPredictionsEqualTheJobsForTwoVersionsInBatches() {
    policy(true);
    VersionBatches before = SqlScoringMetrics.totals(spark.sparkContext());
    List<Row> sql =
        spark
            .sql(
                "SELECT id, model_version, prediction, probabilities, model_digest"
                    + " FROM inferlake_predict('m:v1, m:v2', 'SELECT * FROM parquet.`"
                    + input
                    + "`', 'id')")
            .collectAsList();
    VersionBatches after = SqlScoringMetrics.totals(spark.sparkContext());
    List<Row> job =
        spark
            .sql(
                "SELECT id, model_version, prediction, probabilities, model_digest FROM delta.`"
                    + table
                    + "`")
            .collectAsList();
    assertEquals(2 * ROWS, job.size());
    assertEquals(2 * ROWS, sql.size());
    Map<String, String> fromSql = byKey(sql);
    Map<String, String> fromJob = byKey(job);
    assertEquals(fromJob, fromSql);
    assertTrue(fromSql.keySet().contains("0/v1") && fromSql.keySet().contains("0/v2"));
    assertTrue(!fromSql.get("7/v1").equals(fromSql.get("7/v2")), "the versions differ");

    long calls = after.batches() - before.batches();
    long engineRows = after.rows() - before.rows();
    assertEquals(2L * ROWS, engineRows, "every row of both versions went to the engine once");
    assertTrue(calls > 0, "engine calls are counted");
    // 1024 rows a call: at most a few partial batches per task, far from one call per row
    assertTrue(calls * 100 < engineRows, calls + " engine calls for " + engineRows + " rows");
  }

  @Test
  void aTableNameAndExplicitFeatures() {
    policy(false);
    spark.read().parquet(input).createOrReplaceTempView("events");
    List<Row> rows =
        spark
            .sql(
                "SELECT count(*), count(DISTINCT id), min(model_name), max(run_id) LIKE 'sql-%'"
                    + " FROM inferlake_predict('m:v1', 'events', 'id', 'a, b, c, d')")
            .collectAsList();
    assertEquals(ROWS, rows.get(0).getLong(0));
    assertEquals(ROWS, rows.get(0).getLong(1));
    assertEquals("m", rows.get(0).getString(2));
    assertTrue(rows.get(0).getBoolean(3));
  }

  @Test
  void anUnsignedModelIsRefusedWhenTheSessionRequiresSignatures() {
    policy(true);
    String q =
        "SELECT * FROM inferlake_predict('m:unsigned', 'SELECT * FROM parquet.`"
            + input
            + "`', 'id')";
    Exception e = assertThrows(Exception.class, () -> spark.sql(q).collectAsList());
    InferlakeException own = InferlakeException.findIn(e);
    assertNotNull(own, e.toString());
    assertEquals(ErrorKind.MODEL, own.kind());
    assertTrue(
        own.getMessage().contains("'m:unsigned' is not signed, and the job requires signed models"),
        own.getMessage());
    // the same model with the policy off scores
    policy(false);
    assertEquals(ROWS, spark.sql(q).count());
  }

  @Test
  void badArgumentsAreUsageErrorsNamingTheFunction() {
    policy(false);
    Exception e =
        assertThrows(
            Exception.class, () -> spark.sql("SELECT * FROM inferlake_predict('m', 'x', 'id')"));
    InferlakeException own = InferlakeException.findIn(e);
    assertNotNull(own, e.toString());
    assertEquals(ErrorKind.USAGE, own.kind());
    assertTrue(own.getMessage().startsWith("inferlake_predict: model 'm' is not name:version"));
  }
}
