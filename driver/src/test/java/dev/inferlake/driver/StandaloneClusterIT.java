package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.model.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs on a real Spark standalone cluster on 127.0.0.1 ({@code scripts/cluster}: a master and two
 * workers, each a JVM, executors in JVMs of their own), driven from this JVM: a normal job, an
 * executor JVM killed by its PID mid-job, a straggler under speculation, a task failing its first
 * attempt. Each must finish with exactly one prediction per input row and version.
 */
class StandaloneClusterIT {
  static final int ROWS = 2000;
  static final String MASTER = "spark://127.0.0.1:17177";
  static Path root;
  static Path dir;
  static Path job;
  static SparkSession spark;
  static final Tracker tracker = new Tracker();

  /** What the scheduler did with the scoring stages: task starts and ends, executors lost. */
  static final class Tracker extends SparkListener {
    final Set<Integer> scoringStages = ConcurrentHashMap.newKeySet();
    final List<SparkListenerTaskEnd> ends = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> removed = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile CompletableFuture<String> firstAttemptOfPartition0 = new CompletableFuture<>();

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
      boolean scoring =
          scala.collection.JavaConverters.seqAsJavaList(e.stageInfo().rddInfos()).stream()
              .anyMatch(r -> r.name() != null && r.name().matches("inferlake-[0-9a-f-]{36}"));
      if (scoring) {
        scoringStages.add(e.stageInfo().stageId());
      }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
      if (scoringStages.contains(e.stageId())
          && e.taskInfo().index() == 0
          && e.taskInfo().attemptNumber() == 0) {
        firstAttemptOfPartition0.complete(e.taskInfo().executorId());
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (scoringStages.contains(e.stageId())) {
        ends.add(e);
      }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      removed.add(e.executorId());
    }

    void reset() {
      ends.clear();
      removed.clear();
      firstAttemptOfPartition0 = new CompletableFuture<>();
    }
  }

  static int sh(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("INFERLAKE_CLUSTER_DIR", dir.resolve("cluster").toString());
    pb.environment().put("INFERLAKE_CLUSTER_PORT", "17177");
    pb.environment().put("INFERLAKE_CLUSTER_UI_PORT", "18180");
    pb.environment().put("INFERLAKE_SKIP_BUILD", "1");
    pb.environment().put("INFERLAKE_SPARK", System.getProperty("inferlake.spark", "3.5"));
    pb.environment().put("INFERLAKE_MASTER", MASTER);
    Path log = dir.resolve("sh-" + System.nanoTime() + ".log");
    Process p = pb.redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " hung: " + Files.readString(log));
    }
    lastOutput = Files.readString(log);
    return p.exitValue();
  }

  static String lastOutput;

  @BeforeAll
  static void startCluster() throws Exception {
    root = Path.of(System.getProperty("inferlake.jvmOptions")).getParent().getParent();
    dir = Path.of(System.getProperty("java.io.tmpdir")).resolve("standalone-cluster-it");
    deleteTree(dir);
    Files.createDirectories(dir);
    assertEquals(0, sh(root.resolve("scripts/cluster").toString(), "start"), lastOutput);
    spark =
        SparkSession.builder()
            .master(MASTER)
            .appName("inferlake-cluster-it")
            .config("spark.jars", System.getProperty("inferlake.clusterJar"))
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.executor.memory", "1g")
            .config("spark.executor.cores", "1")
            .config("spark.cores.max", "2") // one executor per worker; room for a second app
            .config("spark.speculation", "true")
            .config("spark.speculation.quantile", "0.5")
            .config("spark.speculation.multiplier", "3")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .getOrCreate();
    spark.sparkContext().addSparkListener(tracker);

    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType)
            .add("c", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < ROWS; i++) {
      rows.add(RowFactory.create(i, i * 0.001, 1.0 - i * 0.002, (double) (i % 5)));
    }
    spark
        .createDataFrame(rows, schema)
        .repartition(4) // four files, which Spark reads as two input partitions here
        .write()
        .parquet(dir.resolve("input").toString());
    TestModels.linear(3, 2, 41).writeTo(dir, "m1.onnx");
    TestModels.linear(3, 2, 42).writeTo(dir, "m2.onnx");
    job =
        JobSpecBuilder.create()
            .input(dir.resolve("input"))
            .key("id")
            .features("input", "a", "b", "c")
            .model("m", "v1", dir.resolve("m1.onnx"))
            .model("m", "v2", dir.resolve("m2.onnx"))
            .output(dir.resolve("unused"))
            .batchSize(128)
            .writeTo(dir.resolve("job.yaml"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (dir != null) {
      sh(root.resolve("scripts/cluster").toString(), "stop");
    }
  }

  static void deleteTree(Path p) throws Exception {
    if (Files.exists(p)) {
      try (var walk = Files.walk(p)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static CompletableFuture<Cli> runAsync(String table, String faults) {
    tracker.reset();
    if (faults == null) {
      spark.conf().unset(FaultInjection.CONF);
    } else {
      spark.conf().set(FaultInjection.CONF, faults);
    }
    return CompletableFuture.supplyAsync(
        () ->
            Cli.run(
                "run",
                "--job",
                job.toString(),
                "--ds",
                "2026-11-23",
                "--set",
                "output.table=" + dir.resolve(table)));
  }

  /** Waits for the listener to have seen every event of the run (the bus is asynchronous). */
  static Cli finished(CompletableFuture<Cli> run) throws Exception {
    Cli done = run.get(5, TimeUnit.MINUTES);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    return done;
  }

  /** Exactly one prediction per input row and version. */
  static void assertExact(String table) {
    for (String v : List.of("v1", "v2")) {
      List<Row> rows =
          spark
              .read()
              .format("delta")
              .load(dir.resolve(table).toString())
              .where("model_version = '" + v + "'")
              .select("id")
              .collectAsList();
      assertEquals(ROWS, rows.size(), v + ": no row lost, none duplicated");
      Set<Long> ids = rows.stream().map(r -> r.getLong(0)).collect(Collectors.toSet());
      Set<Long> all = new TreeSet<>();
      LongStream.range(0, ROWS).forEach(all::add);
      assertEquals(all, ids, v);
    }
  }

  @Test
  void jobsRunOnTheClusterExecutorsFromThisJvmAndFromTheLauncher() throws Exception {
    Cli run = finished(runAsync("normal", null));
    assertEquals(0, run.exitCode(), run.err());
    assertExact("normal");
    String loads = run.out().lines().filter(l -> l.contains("load(s)")).findFirst().orElseThrow();
    assertFalse(loads.contains("driver="), "models load on executors, not the driver: " + loads);
    assertTrue(
        tracker.ends.stream().map(e -> e.taskInfo().executorId()).distinct().count() == 2,
        "both executors scored");

    // the launcher users run, as its own driver process with its own executors
    int exit =
        sh(
            root.resolve("scripts/inferlake").toString(),
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-11-24",
            "--set",
            "output.table=" + dir.resolve("launched"));
    assertEquals(0, exit, lastOutput);
    assertTrue(lastOutput.contains("2,000 rows x 2 model version(s)"), lastOutput);
    assertExact("launched");
  }

  @Test
  void anExecutorKilledMidJobLosesNothingAndDuplicatesNothing() throws Exception {
    // the first attempt of partition 0 sleeps, so its executor is killed while holding it
    CompletableFuture<Cli> run = runAsync("killed", "slow:0:20000");
    String executor = tracker.firstAttemptOfPartition0.get(3, TimeUnit.MINUTES);
    String appId = spark.sparkContext().applicationId();
    List<ProcessHandle> jvm =
        ProcessHandle.allProcesses()
            .filter(
                p -> {
                  String cmd = p.info().commandLine().orElse("");
                  return cmd.contains("CoarseGrainedExecutorBackend")
                      && cmd.contains("--executor-id " + executor + " ")
                      && cmd.contains(appId);
                })
            .toList();
    assertEquals(1, jvm.size(), "the executor JVM of " + executor + " in " + appId);
    assertTrue(jvm.get(0).destroyForcibly());

    Cli done = finished(run);
    assertEquals(0, done.exitCode(), done.err());
    assertTrue(tracker.removed.contains(executor), "Spark saw the executor go: " + tracker.removed);
    assertTrue(
        tracker.ends.stream()
            .anyMatch(e -> e.taskInfo().index() == 0 && e.taskInfo().attemptNumber() > 0),
        "partition 0 ran again");
    assertExact("killed");
  }

  @Test
  void aStragglerUnderSpeculationLeavesNoDuplicates() throws Exception {
    Cli done = finished(runAsync("speculated", "slow:1:20000"));
    assertEquals(0, done.exitCode(), done.err());
    assertTrue(
        tracker.ends.stream()
            .anyMatch(
                e ->
                    e.taskInfo().index() == 1
                        && e.taskInfo().speculative()
                        && e.taskInfo().successful()),
        "a speculative copy of partition 1 won");
    assertExact("speculated");
  }

  @Test
  void aTaskFailingItsFirstAttemptIsRetried() throws Exception {
    Cli done = finished(runAsync("retried", "fail:1"));
    assertEquals(0, done.exitCode(), done.err());
    assertTrue(
        tracker.ends.stream()
            .anyMatch(
                e ->
                    e.taskInfo().index() == 1
                        && e.taskInfo().failed()
                        && e.reason().toString().contains("injected failure")),
        "partition 1 failed once");
    assertExact("retried");
  }

  /**
   * {@code spark-submit --deploy-mode cluster} on the standalone cluster: the driver runs in a
   * worker's JVM, and the job spec, status file, metrics file and report are Hadoop URIs (a {@code
   * viewfs://} mount over a local folder: Hadoop's own file system client, as for hdfs or s3a).
   */
  @Test
  void clusterDeployModeLosesTheExitCodeAndTheStatusFileKeepsIt() throws Exception {
    Path store = dir.resolve("store");
    Files.createDirectories(store.resolve("jobs"));
    Files.copy(job, store.resolve("jobs/job.yaml"));
    String mount = "spark.hadoop.fs.viewfs.mounttable.lake.link./store";
    String lake = "viewfs://lake/store";
    List<String> cluster =
        List.of(
            "--master",
            MASTER,
            "--deploy-mode",
            "cluster",
            "--driver-memory",
            "512m",
            "--conf",
            "spark.driver.extraJavaOptions=" + SparkSubmitProcess.jvmOptionsLine(),
            "--conf",
            mount + "=" + store.toUri(),
            "--conf",
            "spark.executor.memory=1g",
            "--conf",
            "spark.executor.cores=1",
            "--conf",
            "spark.cores.max=1");
    System.setProperty(mount, store.toUri().toString()); // for 'inferlake status' in this JVM
    try {
      // A run failing with exit 3 (its input is missing), submitted and waited for.
      List<String> waited = new ArrayList<>(cluster);
      waited.addAll(List.of("--conf", "spark.standalone.submit.waitAppCompletion=true"));
      SparkSubmitProcess.Result failed =
          SparkSubmitProcess.submit(
              dir,
              waited,
              List.of(
                  "run",
                  "--job",
                  lake + "/jobs/job.yaml",
                  "--ds",
                  "2026-11-25",
                  "--set",
                  "input.path=" + dir.resolve("no-such-input"),
                  "--set",
                  "output.table=" + dir.resolve("cluster-mode"),
                  "--status-file",
                  lake + "/status/failed.json"));
      // What README documents: spark-submit reports the submission, not the driver's exit code.
      assertEquals(0, failed.exit(), failed.output());
      Cli status = Cli.run("status", lake + "/status/failed.json");
      assertEquals(3, status.exitCode(), status.err());
      assertTrue(
          status.err().startsWith("inferlake: 'run' failed with exit 3 at ")
              && status.err().contains("no-such-input"),
          status.err());
      assertEquals(1, status.err().lines().count(), status.err());

      // A run that succeeds, submitted fire-and-forget; 'status --wait' waits for its driver.
      SparkSubmitProcess.Result submitted =
          SparkSubmitProcess.submit(
              dir,
              cluster,
              List.of(
                  "run",
                  "--job",
                  lake + "/jobs/job.yaml",
                  "--ds",
                  "2026-11-25",
                  "--set",
                  "output.table=" + dir.resolve("cluster-mode"),
                  "--metrics-file",
                  lake + "/metrics/run.prom",
                  "--report",
                  lake + "/reports/${ds}",
                  "--status-file",
                  lake + "/status/ok.json"));
      assertEquals(0, submitted.exit(), submitted.output());
      Cli ok = Cli.run("status", lake + "/status/ok.json", "--wait", "240");
      assertEquals(0, ok.exitCode(), ok.err());
      assertTrue(ok.out().startsWith("'run' succeeded at "), ok.out());
      assertExact("cluster-mode");
      String metrics = Files.readString(store.resolve("metrics/run.prom"));
      assertTrue(
          metrics.lines().anyMatch(l -> l.matches("inferlake_run_success\\{.*\\} 1")), metrics);
      assertTrue(Files.isRegularFile(store.resolve("reports/2026-11-25/report.html")));

      // No status file at all: the driver never ran.
      Cli none = Cli.run("status", lake + "/status/never.json");
      assertEquals(5, none.exitCode());
      assertTrue(
          none.err().contains("no status file at " + lake + "/status/never.json"), none.err());
    } finally {
      System.clearProperty(mount);
    }
  }
}
