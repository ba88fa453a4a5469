package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scheduled job relies on, on real Spark and Delta: bad rows predicted-or-quarantined,
 * reruns and backfills, concurrent runs, audit metadata, resumable runs. Every case checks the exit
 * code, the message and the exact table contents after.
 */
class RunSemanticsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, true)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.DoubleType)
          .add("c", DataTypes.DoubleType)
          .add("d", DataTypes.DoubleType);

  /** Rows of the planted input that no model can take, and why. */
  static final List<String> PLANTED =
      List.of(
          "null null_key id null",
          "10 not_finite a NaN",
          "20 null_value b null",
          "30 not_finite c Infinity");

  @TempDir static Path dir;
  static SparkSession spark;
  static Path job;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    writeInput("clean", 300, false, 1);
    writeInput("planted", 300, true, 1);
    writeInput("split", 300, false, 4);
    spark.createDataFrame(List.of(), SCHEMA).write().parquet(dir.resolve("empty").toString());
    TestModels.linear(4, 2, 5).writeTo(dir, "m1.onnx");
    TestModels.linear(4, 2, 6).writeTo(dir, "m2.onnx");
    job =
        JobSpecBuilder.create()
            .input(dir.resolve("clean"))
            .key("id")
            .features("input", "a", "b", "c", "d")
            .model("m", "v1", dir.resolve("m1.onnx"))
            .model("m", "v2", dir.resolve("m2.onnx"))
            .output(dir.resolve("unused"))
            .writeTo(dir.resolve("job.yaml"));
  }

  static void writeInput(String name, int n, boolean planted, int files) {
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      Object[] v = {i, i * 0.01, 1.0 - i * 0.02, 0.5, (double) (i % 7)};
      if (planted) {
        if (i == 10) {
          v[1] = Double.NaN;
        } else if (i == 20) {
          v[2] = null;
        } else if (i == 30) {
          v[3] = Double.POSITIVE_INFINITY;
        } else if (i == 40) {
          v[0] = null;
        }
      }
      rows.add(RowFactory.create(v));
    }
    spark
        .createDataFrame(rows, SCHEMA)
        .repartition(files)
        .write()
        .parquet(dir.resolve(name).toString());
  }

  static String table(String name) {
    return dir.resolve(name).toString();
  }

  static Cli run(String ds, String... sets) {
    List<String> args = new ArrayList<>(List.of("run", "--job", job.toString(), "--ds", ds));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(new String[0]));
  }

  static Cli runWithFaults(String faults, String ds, String... sets) {
    spark.conf().set(FaultInjection.CONF, faults);
    try {
      return run(ds, sets);
    } finally {
      spark.conf().unset(FaultInjection.CONF);
    }
  }

  static Set<Long> ids(String table, String where) {
    return spark
        .read()
        .format("delta")
        .load(table)
        .where(where)
        .select("id")
        .collectAsList()
        .stream()
        .map(r -> r.isNullAt(0) ? null : r.getLong(0))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static List<String> quarantine(String table, String where) {
    return spark
        .read()
        .format("delta")
        .load(table)
        .where(where)
        .orderBy("id")
        .collectAsList()
        .stream()
        .map(
            r ->
                (r.isNullAt(0) ? "null" : r.getLong(0))
                    + " "
                    + r.getAs("reason")
                    + " "
                    + r.getAs("column")
                    + " "
                    + r.getAs("value"))
        .toList();
  }

  static long count(String table, String where) {
    return spark.read().format("delta").load(table).where(where).count();
  }

  static Set<Long> range(long from, long to, long... except) {
    Set<Long> s = new TreeSet<>();
    LongStream.range(from, to).forEach(s::add);
    for (long e : except) {
      s.remove(e);
    }
    return s;
  }

  static JsonNode lastCommitInfo(String table) throws Exception {
    return JSON.readTree(
        DeltaTable.forPath(spark, table).history(1).select("userMetadata").head().getString(0));
  }

  @Test
  void quarantineKeepsEveryRowAModelCannotTakeAndARerunLeavesTheSameContents() throws Exception {
    String out = table("q-out");
    String q = out + "_quarantine";
    String[] sets = {
      "input.path=" + dir.resolve("planted"), "output.table=" + out, "on_invalid=quarantine"
    };
    for (int attempt = 0; attempt < 2; attempt++) {
      Cli r = run("2026-03-01", sets);
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(r.out().contains("300 rows x 2 model version(s)"), "rows in, counted: " + r.out());
      assertTrue(r.out().contains("296 rows  4 quarantined  0 skipped"), r.out());
      for (String v : List.of("v1", "v2")) {
        assertEquals(
            range(0, 300, 10, 20, 30, 40),
            ids(out, "model_version = '" + v + "'"),
            "every valid row predicted once by " + v);
        assertEquals(PLANTED, quarantine(q, "model_version = '" + v + "'"));
      }
      assertEquals(1, spark.read().format("delta").load(q).select("run_id").distinct().count());
    }
    JsonNode info = lastCommitInfo(out);
    assertEquals(300, info.get("rows_in").asLong());
    assertEquals(4, info.get("invalid").get("m:v1").asLong());
  }

  @Test
  void skipLeavesInvalidRowsOutAndCountsThem() throws Exception {
    String out = table("skip-out");
    Path metrics = dir.resolve("skip.prom");
    Cli r =
        Cli.run(
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-03-01",
            "--metrics-file",
            metrics.toString(),
            "--set",
            "input.path=" + dir.resolve("planted"),
            "--set",
            "output.table=" + out,
            "--set",
            "on_invalid=skip");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("296 rows  0 quarantined  4 skipped"), r.out());
    assertEquals(range(0, 300, 10, 20, 30, 40), ids(out, "model_version = 'v1'"));
    assertFalse(Files.exists(Path.of(out + "_quarantine")), "skip writes no quarantine table");
    String prom = Files.readString(metrics);
    assertTrue(prom.contains("inferlake_run_input_rows{table=\"" + out), prom);
    assertTrue(
        prom.contains(
            "inferlake_rows_skipped{table=\""
                + out
                + "\",ds=\"2026-03-01\",model=\"m\",version=\"v2\"} 4\n"),
        prom);
  }

  @Test
  void tooManyInvalidRowsFailTheRunWithNothingWritten() {
    String out = table("limit-out");
    assertEquals(0, run("2026-03-01", "output.table=" + out).exitCode());
    DeltaState before = DeltaState.of(spark, out);
    Cli r =
        run(
            "2026-03-01",
            "input.path=" + dir.resolve("planted"),
            "output.table=" + out,
            "on_invalid=quarantine",
            "max_invalid_fraction=0.01");
    assertEquals(3, r.exitCode(), r.err());
    assertEquals(
        "inferlake: 4 of 300 input rows (1.33%) cannot be scored by model 'm:v1', more than"
            + " max_invalid_fraction 0.01 allows; nothing was written. First ones: id=10:"
            + " not_finite in 'a' (NaN); id=20: null_value in 'b' (null); id=30: not_finite in"
            + " 'c' (Infinity)",
        r.errorLine());
    assertEquals(before, DeltaState.of(spark, out));
    assertFalse(Files.exists(Path.of(out + "_quarantine")));
  }

  @Test
  void byDefaultTheFirstInvalidRowFailsTheRunNamingIt() {
    String out = table("fail-out");
    assertEquals(0, run("2026-03-01", "output.table=" + out).exitCode());
    DeltaState before = DeltaState.of(spark, out);
    Cli r = run("2026-03-01", "input.path=" + dir.resolve("planted"), "output.table=" + out);
    assertEquals(3, r.exitCode(), r.err());
    assertEquals(
        "inferlake: column 'a' holds NaN at row id=10 (feeding input 'input' of model 'm:v1'"
            + " (float[-1, 4])); models take finite values only",
        r.errorLine());
    assertEquals(before, DeltaState.of(spark, out));
  }

  @Test
  void aFailedPredictionCommitPutsTheQuarantineTableBack() {
    String out = table("restore-out");
    String q = out + "_quarantine";
    String[] sets = {
      "input.path=" + dir.resolve("planted"), "output.table=" + out, "on_invalid=quarantine"
    };
    assertEquals(0, run("2026-03-02", sets).exitCode());
    String firstRun =
        spark.read().format("delta").load(q).select("run_id").distinct().head().getString(0);
    DeltaState predictions = DeltaState.of(spark, out);

    // local mode gives a task one attempt, so the injected task failure fails the scoring job
    // after the quarantine commit
    Cli r = runWithFaults("fail:0", "2026-03-02", sets);
    assertEquals(5, r.exitCode(), r.err());
    assertTrue(r.errorLine().contains("injected failure"), r.errorLine());
    assertEquals(predictions, DeltaState.of(spark, out));
    assertEquals(PLANTED, quarantine(q, "model_version = 'v1'"));
    assertEquals(
        List.of(firstRun),
        spark.read().format("delta").load(q).select("run_id").distinct().collectAsList().stream()
            .map(x -> x.getString(0))
            .toList(),
        "the quarantine rows are the first run's again");
  }

  @Test
  void anEmptyInputIsAValidRunOfZeroRows() {
    String out = table("empty-out");
    Cli r = run("2026-03-01", "input.path=" + dir.resolve("empty"), "output.table=" + out);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("0 rows x 2 model version(s)"), r.out());
    assertEquals(0, count(out, "true"));
    assertEquals(
        "id,prediction,probabilities,model_name,model_version,model_digest,run_id,ds,scored_at",
        String.join(",", spark.read().format("delta").load(out).columns()));
  }

  @Test
  void runsOnDifferentDatesOrVersionsRunConcurrentlyAndBothLand() throws Exception {
    String out = table("concurrent-out");
    assertEquals(0, run("2026-04-01", "output.table=" + out).exitCode());
    spark.conf().set(FaultInjection.CONF, "slow:0:3000");
    try {
      // both hold their only task for 3 s, so both write transactions are open at once
      CompletableFuture<Cli> a =
          CompletableFuture.supplyAsync(() -> run("2026-04-02", "output.table=" + out));
      CompletableFuture<Cli> b =
          CompletableFuture.supplyAsync(() -> run("2026-04-03", "output.table=" + out));
      assertEquals(0, a.get().exitCode(), a.get().err());
      assertEquals(0, b.get().exitCode(), b.get().err());
      // one version each on the same date
      CompletableFuture<Cli> c =
          CompletableFuture.supplyAsync(
              () -> run("2026-04-04", "output.table=" + out, "models=[" + model(1) + "]"));
      CompletableFuture<Cli> d =
          CompletableFuture.supplyAsync(
              () -> run("2026-04-04", "output.table=" + out, "models=[" + model(2) + "]"));
      assertEquals(0, c.get().exitCode(), c.get().err());
      assertEquals(0, d.get().exitCode(), d.get().err());
    } finally {
      spark.conf().unset(FaultInjection.CONF);
    }
    for (String ds : List.of("2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04")) {
      for (String v : List.of("v1", "v2")) {
        assertEquals(
            range(0, 300),
            ids(out, "ds = DATE'" + ds + "' AND model_version = '" + v + "'"),
            ds + " " + v);
      }
    }
    assertEquals(300 * 8, count(out, "true"));
  }

  static String model(int n) {
    return "{name: m, version: v" + n + ", path: " + dir.resolve("m" + n + ".onnx") + "}";
  }

  @Test
  void twoRunsOfTheSameDateNeverBothLand() throws Exception {
    String out = table("race-out");
    assertEquals(0, run("2026-04-01", "output.table=" + out).exitCode());
    spark.conf().set(FaultInjection.CONF, "slow:0:3000");
    List<Cli> results;
    try {
      CompletableFuture<Cli> a =
          CompletableFuture.supplyAsync(() -> run("2026-04-02", "output.table=" + out));
      CompletableFuture<Cli> b =
          CompletableFuture.supplyAsync(() -> run("2026-04-02", "output.table=" + out));
      results = List.of(a.get(), b.get());
    } finally {
      spark.conf().unset(FaultInjection.CONF);
    }
    List<Cli> failed = results.stream().filter(r -> r.exitCode() != 0).toList();
    assertEquals(1, failed.size(), "exactly one of two racing runs lands");
    assertEquals(5, failed.get(0).exitCode(), failed.get(0).err());
    assertTrue(
        failed
            .get(0)
            .errorLine()
            .matches(
                "inferlake: another run committed to .*race-out for ds=2026-04-02 while this one"
                    + " was writing \\(Concurrent\\w+Exception\\); nothing of this run was kept\\."
                    + " Run it again, or set output.on_conflict: retry"),
        failed.get(0).errorLine());
    assertEquals(300 * 2, count(out, "ds = DATE'2026-04-02'"));
    assertEquals(range(0, 300), ids(out, "ds = DATE'2026-04-02' AND model_version = 'v1'"));
    assertEquals(
        1,
        spark
            .read()
            .format("delta")
            .load(out)
            .where("ds = DATE'2026-04-02'")
            .select("run_id")
            .distinct()
            .count());

    // with on_conflict: retry, the loser tries again and both succeed, one after the other
    spark.conf().set(FaultInjection.CONF, "slow:0:3000");
    try {
      String[] retry = {"output.table=" + out, "output.on_conflict=retry"};
      CompletableFuture<Cli> a = CompletableFuture.supplyAsync(() -> run("2026-04-03", retry));
      CompletableFuture<Cli> b = CompletableFuture.supplyAsync(() -> run("2026-04-03", retry));
      assertEquals(0, a.get().exitCode(), a.get().err());
      assertEquals(0, b.get().exitCode(), b.get().err());
    } finally {
      spark.conf().unset(FaultInjection.CONF);
    }
    assertEquals(300 * 2, count(out, "ds = DATE'2026-04-03'"));
  }

  @Test
  void commitsCarryTheAuditRecordWithTheDeltaInputVersion() throws Exception {
    String input = table("delta-in");
    spark
        .read()
        .parquet(dir.resolve("clean").toString())
        .limit(100)
        .write()
        .format("delta")
        .save(input);
    spark
        .read()
        .parquet(dir.resolve("clean").toString())
        .write()
        .format("delta")
        .mode("overwrite")
        .save(input);
    String out = table("audit-out");
    Cli r = run("2026-03-05", "input.path=" + input, "input.format=delta", "output.table=" + out);
    assertEquals(0, r.exitCode(), r.err());
    JsonNode info = lastCommitInfo(out);
    assertEquals("2026-03-05", info.get("ds").asText());
    assertEquals(input, info.get("input").asText());
    assertEquals("delta", info.get("input_format").asText());
    assertEquals(1, info.get("input_version").asLong(), "the table version that was read");
    assertEquals(System.getProperty("user.name"), info.get("user").asText());
    assertEquals(spark.sparkContext().applicationId(), info.get("spark_app_id").asText());
    String runId =
        spark.read().format("delta").load(out).select("run_id").distinct().head().getString(0);
    assertEquals(runId, info.get("run_id").asText());
    List<String> models = new ArrayList<>();
    for (JsonNode m : info.get("models")) {
      models.add(m.get("name").asText() + ":" + m.get("version").asText());
      String digest =
          spark
              .read()
              .format("delta")
              .load(out)
              .where("model_version = '" + m.get("version").asText() + "'")
              .select("model_digest")
              .distinct()
              .head()
              .getString(0);
      assertEquals(digest, m.get("digest").asText());
    }
    assertEquals(List.of("m:v1", "m:v2"), models);
    assertEquals(300 * 2, count(out, "true"));
  }

  @Test
  void aResumableRunStoppedMidwayGoesOnFromItsLastCommittedChunk() throws Exception {
    String out = table("resume-out");
    String[] sets = {
      "input.path=" + dir.resolve("split"), "output.table=" + out, "resumable.chunks=4"
    };
    Cli stopped = runWithFaults("stop-after-chunk:1", "2026-03-06", sets);
    assertEquals(5, stopped.exitCode(), stopped.err());
    assertEquals(
        "inferlake: stopped after chunk 2 of 4 as spark.inferlake.faults asks; a rerun resumes"
            + " at chunk 3",
        stopped.errorLine());
    long half = count(out, "model_version = 'v1'");
    assertTrue(half > 0 && half < 300, "two of four chunks committed: " + half);
    List<Row> before = spark.read().format("delta").load(out).collectAsList();

    Cli resumed = run("2026-03-06", sets);
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertTrue(resumed.out().contains("300 rows x 2 model version(s)"), resumed.out());
    assertEquals(range(0, 300), ids(out, "model_version = 'v1'"));
    assertEquals(600, count(out, "true"));
    assertEquals(1, spark.read().format("delta").load(out).select("run_id").distinct().count());
    assertTrue(
        spark.read().format("delta").load(out).collectAsList().containsAll(before),
        "committed chunks were kept, not redone");
    List<Integer> chunks = new ArrayList<>();
    for (Row h :
        DeltaTable.forPath(spark, out)
            .history()
            .orderBy("version")
            .select("userMetadata")
            .collectAsList()) {
      chunks.add(JSON.readTree(h.getString(0)).get("resume").get("chunk").asInt());
    }
    assertEquals(List.of(0, 1, 2, 3), chunks, "each chunk committed once");

    // A finished run is not resumed: running again starts over and replaces the date.
    Cli again = run("2026-03-06", sets);
    assertEquals(0, again.exitCode(), again.err());
    assertEquals(600, count(out, "true"));
    assertEquals(1, spark.read().format("delta").load(out).select("run_id").distinct().count());
    assertFalse(
        spark.read().format("delta").load(out).collectAsList().containsAll(before),
        "a new run wrote new rows");
  }
}
