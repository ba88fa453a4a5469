package dev.inferlake.driver.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.demo.DemoData;
import dev.inferlake.driver.demo.DemoModels;
import dev.inferlake.driver.demo.PlainOnnxLoop;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.driver.sink.ChunkPlan;
import dev.inferlake.driver.sink.DeltaSink;
import dev.inferlake.driver.sink.ModelVersion;
import dev.inferlake.driver.sink.PredictionSink;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.PredictionSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake bench scoring}: rows per second of inferlake against the plain ONNX Runtime
 * loop, a per-row Spark UDF and SynapseML's ONNXModel, on the same generated Parquet data and the
 * same ONNX model, for a tiny model and the 1.1M-parameter digits MLP at two sizes. Every
 * measurement runs in a fresh JVM of its own (local Spark, all cores), so each reports its own peak
 * memory.
 */
@Command(
    name = "scoring",
    mixinStandardHelpOptions = true,
    description = {
      "Rows/s of (1) a plain ONNX Runtime loop over in-memory arrays, (2) inferlake end to end,",
      "Parquet in to Delta out, (3) inferlake scoring alone (no write), (4) a per-row Spark UDF",
      "calling ONNX Runtime, (5) SynapseML's ONNXModel at its default and best mini-batch, for",
      "a tiny model and the digits MLP (1.1M parameters) at each size; two floors: (6) the",
      "same prediction rows, scored and cached beforehand, written through the Delta sink (the",
      "write floor), (7) a Parquet to Delta copy of the input with no model (the I/O floor); and",
      "(8) the inferlake_predict SQL function over the same rows (no write). With peak memory of",
      "each JVM. Prints a Markdown table with the ratios to (1) and writes",
      "bench-results/scoring.md."
    })
public final class ScoringBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESULT = "INFERLAKE-BENCH ";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      split = ",",
      defaultValue = "1000000,10000000",
      description = "Dataset sizes (default: ${DEFAULT-VALUE}).")
  List<Long> sizes;

  @Option(
      names = "--models",
      split = ",",
      defaultValue = "tiny,mlp",
      description =
          "tiny (logistic regression, 16 features) and/or mlp (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(
      names = "--udf-rows",
      description =
          "Rows the per-row UDF scores (default: 200000 for tiny, 20000 for mlp; it is slow).")
  Long udfRows;

  @Option(
      names = "--plain-rows",
      defaultValue = "2000000",
      description = "Rows the plain loop scores at most (its rate does not depend on the size).")
  long plainRows;

  @Option(
      names = "--synapseml-classpath",
      paramLabel = "FILE",
      description = "File with SynapseML's classpath (scripts/bench writes it); none: skip it.")
  Path synapseClasspath;

  @Option(
      names = "--synapseml-batches",
      split = ",",
      defaultValue = "0,64,1024,4096",
      description =
          "SynapseML mini-batch sizes tried at the smallest size (0 = its default); the best runs"
              + " at every size (default: ${DEFAULT-VALUE}).")
  List<Integer> synapseBatches;

  @Option(names = "--out", defaultValue = "bench-results", description = "Where the table goes.")
  Path out;

  @Option(
      names = "--work",
      description = "Where data, models and tables go (default: <out>/scoring-work).")
  Path work;

  @Option(names = "--digits", description = "Folder with digits-mlp.onnx and digits.csv.")
  Path digits;

  @Option(
      names = "--only",
      split = ",",
      description =
          "Measure only these approaches: plain, e2e, score, udf, sql, synapseml (default: all),"
              + " e.g. --only score,sql")
  List<String> only;

  @Option(names = "--worker", hidden = true)
  String worker;

  @Option(names = "--data", hidden = true)
  String data;

  @Option(names = "--model", hidden = true)
  String model;

  @Option(names = "--limit", hidden = true)
  long limit;

  @Option(
      names = "--job-set",
      description =
          "Job-spec overrides for inferlake's sides, e.g. --job-set partitioning.rows_per_task=500000")
  List<String> jobSet = new ArrayList<>();

  /** One measured approach. */
  record Measured(
      String model,
      long size,
      String what,
      long rows,
      double seconds,
      long peakRssBytes,
      long peakHeapBytes,
      long peakLiveHeapBytes,
      String note) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (worker != null) {
      return work();
    }
    PrintWriter log = spec.commandLine().getErr();
    Path dir = (work != null ? work : out.resolve("scoring-work")).toAbsolutePath();
    Files.createDirectories(dir.resolve("logs"));
    Map<String, Path> modelFiles = prepareModels(dir, log);
    List<Measured> results = new ArrayList<>();
    Integer bestBatch = null;
    long smallest = sizes.stream().mapToLong(Long::longValue).min().orElseThrow();
    List<Long> ascending = sizes.stream().sorted().toList();
    for (String m : models) {
      for (long n : ascending) {
        String data = prepareData(dir, m, n, log).toString();
        String mf = modelFiles.get(m).toString();
        if (wants("plain")) {
          results.add(child(dir, "plain", m, n, data, mf, Math.min(n, plainRows), log));
        }
        if (wants("e2e")) {
          results.add(child(dir, "e2e", m, n, data, mf, n, log));
        }
        if (wants("score")) {
          results.add(child(dir, "score", m, n, data, mf, n, log));
        }
        if (wants("sql")) {
          results.add(child(dir, "sql", m, n, data, mf, n, log));
        }
        long udf = udfRows != null ? udfRows : m.equals("mlp") ? 20_000 : 200_000;
        if (wants("udf")) {
          results.add(child(dir, "udf", m, n, data, mf, Math.min(n, udf), log));
        }
        if (synapseClasspath != null && wants("synapseml")) {
          if (n == smallest) {
            Measured best = null;
            for (int b : synapseBatches) {
              Measured r = synapse(dir, m, n, data, mf, b, log);
              results.add(r);
              if (r != null && (best == null || r.rowsPerSecond() > best.rowsPerSecond())) {
                best = r;
                bestBatch = b;
              }
            }
          } else if (bestBatch != null) {
            results.add(synapse(dir, m, n, data, mf, bestBatch, log));
          }
        }
        results.add(child(dir, "write", m, n, data, mf, n, log));
        results.add(child(dir, "copy", m, n, data, mf, n, log));
      }
      bestBatch = null;
    }
    results.removeIf(r -> r == null);
    BenchCommand.publish(spec, out, "scoring.md", markdown(results));
    return 0;
  }

  private boolean wants(String approach) {
    return only == null || only.isEmpty() || only.contains(approach);
  }

  // ---- preparation (the orchestrating JVM) ----

  private Map<String, Path> prepareModels(Path dir, PrintWriter log) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    if (models.contains("tiny")) {
      Path tiny = dir.resolve("tiny.onnx");
      if (!Files.exists(tiny)) {
        log.println("bench: training the tiny model (the demo's logistic regression)");
        log.flush();
        SparkSession spark = SparkSessions.getOrCreate("inferlake bench scoring");
        String train = dir.resolve("tiny-train").toUri().toString();
        DemoData.write(spark, train, 20_000);
        byte[] onnx = DemoModels.train(spark, train, 16_000, 4_000).get(0).onnx();
        Files.write(tiny, onnx);
      }
      files.put("tiny", tiny);
    }
    if (models.contains("mlp")) {
      Path d = digits != null ? digits : CompressionBench.findDigits();
      files.put("mlp", d.resolve("digits-mlp.onnx"));
    }
    return files;
  }

  /** The dataset for a model and size: {@code id} and one float-array column {@code features}. */
  private Path prepareData(Path dir, String m, long n, PrintWriter log) throws IOException {
    Path p = dir.resolve("data").resolve(m + "-" + n);
    Path marker = p.resolve("_ROWS");
    if (Files.exists(marker) && Files.readString(marker).trim().equals(Long.toString(n))) {
      return p;
    }
    log.printf(Locale.ROOT, "bench: writing %,d rows for %s to %s%n", n, m, p);
    log.flush();
    SparkSession spark = SparkSessions.getOrCreate("inferlake bench scoring");
    int files = (int) Math.max(4, Math.min(64, n / 250_000));
    Dataset<Row> ids = spark.range(0, n, 1, files).toDF();
    Dataset<Row> df;
    if (m.equals("tiny")) {
      Column[] f = new Column[DemoData.FEATURES];
      for (int j = 0; j < f.length; j++) {
        f[j] = functions.randn(DemoData.SEED + j).cast("float");
      }
      df = ids.withColumn("features", functions.array(f));
    } else {
      float[][] px = digitsPixels();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < px.length; i++) {
        List<Float> v = new ArrayList<>();
        for (float x : px[i]) {
          v.add(x);
        }
        rows.add(RowFactory.create((long) i, v));
      }
      Dataset<Row> table =
          spark.createDataFrame(
              rows,
              new StructType()
                  .add("k", DataTypes.LongType)
                  .add("features", DataTypes.createArrayType(DataTypes.FloatType, false)));
      df =
          ids.withColumn("k", functions.col("id").mod(px.length))
              .join(functions.broadcast(table), "k")
              .select("id", "features");
    }
    df.write().mode(SaveMode.Overwrite).parquet(p.toString());
    Files.writeString(marker, Long.toString(n));
    return p;
  }

  private float[][] digitsPixels() throws IOException {
    Path d = digits != null ? digits : CompressionBench.findDigits();
    List<String> lines = Files.readAllLines(d.resolve("digits.csv"));
    float[][] px = new float[lines.size() - 1][64];
    for (int i = 1; i < lines.size(); i++) {
      String[] c = lines.get(i).split(",");
      for (int j = 0; j < 64; j++) {
        px[i - 1][j] = Float.parseFloat(c[1 + j]);
      }
    }
    return px;
  }

  // ---- child JVMs ----

  private Measured child(
      Path dir, String what, String m, long n, String data, String mf, long limit, PrintWriter log)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(javaCommand(System.getProperty("java.class.path")));
    cmd.add("dev.inferlake.driver.InferlakeCli");
    cmd.addAll(
        List.of(
            "bench",
            "scoring",
            "--worker",
            what,
            "--model",
            mf,
            "--data",
            data,
            "--limit",
            Long.toString(limit),
            "--work",
            dir.toString()));
    for (String o : jobSet) {
      cmd.add("--job-set");
      cmd.add(o);
    }
    JsonNode r = runChild(dir, cmd, what + "-" + m + "-" + n, log);
    return new Measured(
        m,
        n,
        what,
        r.path("rows").asLong(),
        r.path("seconds").asDouble(),
        r.path("peak_rss").asLong(),
        r.path("peak_heap").asLong(),
        r.path("peak_live_heap").asLong(),
        r.path("note").asText(""));
  }

  private Measured synapse(
      Path dir, String m, long n, String data, String mf, int batch, PrintWriter log)
      throws IOException, InterruptedException {
    String cp = Files.readString(synapseClasspath).trim();
    List<String> cmd = new ArrayList<>(javaCommand(cp));
    cmd.add("dev.inferlake.bench.SynapseMlBench");
    cmd.addAll(List.of(data, mf, m.equals("mlp") ? "pixels" : "input", Integer.toString(batch)));
    try {
      JsonNode r = runChild(dir, cmd, "synapseml-" + batch + "-" + m + "-" + n, log);
      return new Measured(
          m,
          n,
          "synapseml",
          r.path("rows").asLong(),
          r.path("seconds").asDouble(),
          r.path("peak_rss").asLong(),
          r.path("peak_heap").asLong(),
          0L,
          "mini-batch " + r.path("mini_batch").asInt() + (batch == 0 ? " (its default)" : ""));
    } catch (IllegalStateException e) {
      log.println("bench: SynapseML failed: " + e.getMessage());
      return null;
    }
  }

  /** {@code java} with this JVM's module flags, 4 GB of heap and {@code cp}. */
  private static List<String> javaCommand(String cp) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dlog4j")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx4g");
    cmd.add("-cp");
    cmd.add(cp);
    return cmd;
  }

  private static JsonNode runChild(Path dir, List<String> cmd, String name, PrintWriter log)
      throws IOException, InterruptedException {
    Path logFile = dir.resolve("logs").resolve(name + ".log");
    log.printf("bench: %s (log %s)%n", name, logFile);
    log.flush();
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(logFile.toFile());
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IllegalStateException(name + " took over 2 hours");
    }
    List<String> lines = Files.readAllLines(logFile);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith(RESULT)) {
        JsonNode r = JSON.readTree(lines.get(i).substring(RESULT.length()));
        log.printf(
            Locale.ROOT,
            "bench: %s: %,d rows in %.1f s, %,.0f rows/s, peak RSS %d MiB%n",
            name,
            r.path("rows").asLong(),
            r.path("seconds").asDouble(),
            r.path("rows").asLong() / r.path("seconds").asDouble(),
            r.path("peak_rss").asLong() >> 20);
        log.flush();
        return r;
      }
    }
    throw new IllegalStateException(
        name + " exited " + p.exitValue() + " without a result; see " + logFile);
  }

  // ---- the worker (a child JVM) ----

  private int work() throws Exception {
    watchLiveHeap();
    ObjectNode r = JSON.createObjectNode();
    long rows;
    double seconds;
    String note = "";
    if (worker.equals("plain")) {
      byte[] bytes = Files.readAllBytes(Path.of(model));
      SparkSession spark = SparkSessions.getOrCreate("inferlake bench plain");
      // a slice of the same data, in memory; cycled up to the rows asked for
      int width;
      List<Row> sample =
          spark.read().parquet(data).where("id < 100000").select("features").collectAsList();
      width = sample.get(0).getList(0).size();
      float[] x = new float[sample.size() * width];
      for (int i = 0; i < sample.size(); i++) {
        List<Float> v = sample.get(i).getList(0);
        for (int j = 0; j < width; j++) {
          x[i * width + j] = v.get(j);
        }
      }
      int threads = Runtime.getRuntime().availableProcessors();
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        so.setIntraOpNumThreads(threads);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(bytes, so)) {
          PlainOnnxLoop.seconds(s, x, width, 1024, Math.min(sample.size(), 20_000)); // warm-up
          seconds = 0;
          long left = limit;
          while (left > 0) {
            int n = (int) Math.min(left, sample.size());
            seconds += PlainOnnxLoop.seconds(s, x, width, 1024, n);
            left -= n;
          }
        }
      }
      rows = limit;
      note = "batch 1024, " + threads + " threads";
    } else if (worker.equals("udf")) {
      SparkSession spark = SparkSessions.getOrCreate("inferlake bench udf");
      UserDefinedFunction f = functions.udf(new PerRowUdf(model), DataTypes.DoubleType);
      Dataset<Row> in = spark.read().parquet(data).where("id < " + limit);
      in.count(); // the same warm-up as the SynapseML side: Spark's first job, outside the timing
      long t0 = System.nanoTime();
      in.select(functions.col("id"), f.apply(functions.col("features")).as("prediction"))
          .write()
          .format("noop")
          .mode(SaveMode.Overwrite)
          .save();
      seconds = (System.nanoTime() - t0) / 1e9;
      rows = limit;
      note = "one ONNX Runtime call per row";
    } else {
      SparkSession spark = SparkSessions.getOrCreate("inferlake bench " + worker);
      Path dir = Path.of(data).getParent().getParent();
      String table =
          dir.resolve("tables").resolve(Path.of(data).getFileName() + "-" + worker).toString();
      org.apache.commons.io.FileUtils.deleteDirectory(new java.io.File(table));
      org.apache.commons.io.FileUtils.deleteDirectory(new java.io.File(table + "_runs"));
      Path job = Files.createTempFile("bench-job", ".yaml");
      Files.writeString(
          job,
          "input: {path: "
              + data
              + ", key: [id], features: {"
              + (model.endsWith("digits-mlp.onnx") ? "pixels" : "input")
              + ": features}}\nmodels:\n  - {name: bench, version: v1, path: "
              + model
              + "}\noutput: {table: "
              + table
              + "}\n");
      JobSpec js = JobSpecLoader.load(job, jobSet);
      ScoringJob sj = new ScoringJob(spark, Clock.systemUTC());
      spark.read().parquet(data).count(); // the same warm-up as the other sides
      long t0 = System.nanoTime();
      if (worker.equals("sql")) {
        rows = sqlPredictions(spark, dir, data);
        note = "inferlake_predict, scored, not written";
      } else if (worker.equals("e2e")) {
        rows = sj.run(js, LocalDate.of(2026, 1, 1)).inputRows();
        note = "Parquet in, Delta out, runs table";
      } else if (worker.equals("write") || worker.equals("write-old")) {
        rows = writeFloor(spark, sj, js, table, worker.equals("write-old"));
        t0 = writeStarted;
        note = "cached prediction rows, Delta sink";
      } else if (worker.equals("copy")) {
        spark.read().parquet(data).write().format("delta").mode(SaveMode.Overwrite).save(table);
        rows = limit;
        note = "input copied, no model";
      } else {
        sj.predictions(js, LocalDate.of(2026, 1, 1))
            .write()
            .format("noop")
            .mode(SaveMode.Overwrite)
            .save();
        rows = limit;
        note = "scored, not written";
      }
      seconds = worker.equals("sql") ? sqlSeconds : (System.nanoTime() - t0) / 1e9;
    }
    r.put("rows", rows);
    r.put("seconds", seconds);
    r.put("peak_rss", peakRss());
    r.put("peak_heap", peakHeap());
    r.put("peak_live_heap", PEAK_LIVE.get());
    r.put("note", note);
    System.out.println(RESULT + r);
    System.out.flush();
    return 0;
  }

  /**
   * Scores the data with the SQL function into Spark's {@code noop} sink: the model registered in a
   * fresh registry as {@code bench:v1}, the query as an analyst would write it.
   */
  private long sqlPredictions(SparkSession spark, Path dir, String data) throws IOException {
    Path registry = Files.createTempDirectory(dir, "sql-registry");
    new dev.inferlake.driver.registry.ModelRegistry(
            registry.toString(), spark.sparkContext().hadoopConfiguration())
        .register("bench", "v1", Files.readAllBytes(Path.of(model)), null, null, Clock.systemUTC());
    spark.conf().set(dev.inferlake.driver.sql.PredictFunction.REGISTRY, registry.toString());
    long t0 = System.nanoTime();
    spark
        .sql(
            "SELECT * FROM inferlake_predict('bench:v1', 'SELECT id, features FROM parquet.`"
                + data
                + "`', 'id')")
        .write()
        .format("noop")
        .mode(SaveMode.Overwrite)
        .save();
    sqlSeconds = (System.nanoTime() - t0) / 1e9;
    return limit;
  }

  private double sqlSeconds;

  private long writeStarted;

  /**
   * The write floor: the job's prediction rows, scored and cached before the timing, then written
   * as a run's commit writes them (the Delta sink: partitioning, statistics, {@code replaceWhere}).
   * Sets {@link #writeStarted} after the cache is filled.
   */
  private long writeFloor(
      SparkSession spark, ScoringJob sj, JobSpec js, String table, boolean oldLayout) {
    LocalDate ds = LocalDate.of(2026, 1, 1);
    Dataset<Row> p =
        sj.predictions(js, ds).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    long n = p.count();
    if (oldLayout) {
      // a table made before December's layout: the sink keeps an existing table's partitioning
      p.limit(0)
          .write()
          .format("delta")
          .partitionBy(
              PredictionSchema.DS, PredictionSchema.MODEL_NAME, PredictionSchema.MODEL_VERSION)
          .option("delta.dataSkippingStatsColumns", "id,prediction,scored_at")
          .save(table);
    }
    String runId = p.select(PredictionSchema.RUN_ID).head().getString(0);
    DeltaSink sink =
        new DeltaSink(
            spark,
            table,
            table + "_quarantine",
            0,
            ds,
            List.of(new ModelVersion("bench", "v1")),
            List.of(new KeyColumn("id", 0, DataTypes.LongType)));
    writeStarted = System.nanoTime();
    sink.commit(
        new PredictionSink.ChunkWrite(
            ChunkPlan.single(runId), 0, 0L, p, null, JSON.createObjectNode()));
    return n;
  }

  /** The naive way: a UDF that runs the model on one row per call. */
  static final class PerRowUdf implements UDF1<scala.collection.Seq<Float>, Double> {
    private static final long serialVersionUID = 1L;
    private static OrtSession session;
    private final String model;

    PerRowUdf(String model) {
      this.model = model;
    }

    private static synchronized OrtSession session(String model) throws IOException, OrtException {
      if (session == null) {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
          so.setIntraOpNumThreads(1);
          session =
              OrtEnvironment.getEnvironment().createSession(Files.readAllBytes(Path.of(model)), so);
        }
      }
      return session;
    }

    @Override
    public Double call(scala.collection.Seq<Float> features) throws Exception {
      OrtSession s = session(model);
      float[] x = new float[features.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = features.apply(i);
      }
      String in = s.getInputNames().iterator().next();
      try (OnnxTensor t =
              OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), new float[][] {x});
          OrtSession.Result res = s.run(Map.of(in, t))) {
        float[] p = ((float[][]) res.get(0).getValue())[0];
        int best = 0;
        for (int j = 1; j < p.length; j++) {
          best = p[j] > p[best] ? j : best;
        }
        return (double) best;
      }
    }
  }

  private static final java.util.concurrent.atomic.AtomicLong PEAK_LIVE =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Tracks the largest heap left in use after a garbage collection: the memory the work needs,
   * apart from how far the collector chose to let the heap grow (which RSS also counts).
   */
  static void watchLiveHeap() {
    java.util.Set<String> heapPools = new java.util.HashSet<>();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        heapPools.add(p.getName());
      }
    }
    for (java.lang.management.GarbageCollectorMXBean gc :
        ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!(gc instanceof javax.management.NotificationEmitter emitter)) {
        continue;
      }
      emitter.addNotificationListener(
          (n, handback) -> {
            if (!n.getType()
                .equals(
                    com.sun.management.GarbageCollectionNotificationInfo
                        .GARBAGE_COLLECTION_NOTIFICATION)) {
              return;
            }
            com.sun.management.GcInfo info =
                com.sun.management.GarbageCollectionNotificationInfo.from(
                        (javax.management.openmbean.CompositeData) n.getUserData())
                    .getGcInfo();
            long used = 0;
            for (var e : info.getMemoryUsageAfterGc().entrySet()) {
              if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
              }
            }
            PEAK_LIVE.accumulateAndGet(used, Math::max);
          },
          null,
          null);
    }
  }

  /** Peak resident memory of this JVM (VmHWM), in bytes; 0 where /proc is missing. */
  static long peakRss() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  // ---- the table ----

  static String markdown(List<Measured> results) {
    StringBuilder sb = new StringBuilder();
    Map<String, String> names =
        Map.of(
            "plain", "(1) plain ONNX Runtime loop, in memory",
            "e2e", "(2) inferlake end to end, Parquet → Delta",
            "score", "(3) inferlake scoring alone, no write",
            "udf", "(4) per-row Spark UDF",
            "synapseml", "(5) SynapseML ONNXModel",
            "write", "(6) write floor: the same rows, cached, written",
            "copy", "(7) I/O floor: Parquet → Delta copy, no model",
            "sql", "(8) inferlake_predict SQL function, no write");
    sb.append(
        String.format(
            Locale.ROOT,
            "Measured with `scripts/bench scoring` on %d cores (%s), local Spark, ONNX Runtime 1.28.0"
                + " (SynapseML: its own ONNX Runtime). Every row is its own JVM; peak RSS is that"
                + " JVM's (in local mode the executor is the driver JVM).%n%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.arch")));
    sb.append(
        "| model | rows | approach | rows timed | seconds | rows/s | vs (1) | peak RSS | peak live"
            + " heap | note |\n");
    sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (Measured m : results) {
      Measured plain = find(results, m.model(), m.size(), "plain");
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s | %,d | %.1f | %,.0f | %s | %d MiB | %s | %s |%n",
              m.model(),
              m.size(),
              names.get(m.what()),
              m.rows(),
              m.seconds(),
              m.rowsPerSecond(),
              plain == null
                  ? "—"
                  : String.format(Locale.ROOT, "%.2fx", m.rowsPerSecond() / plain.rowsPerSecond()),
              m.peakRssBytes() >> 20,
              m.peakLiveHeapBytes() > 0 ? (m.peakLiveHeapBytes() >> 20) + " MiB" : "—",
              m.note()));
    }
    sb.append('\n').append(goals(results));
    return sb.toString();
  }

  private static Measured find(List<Measured> r, String model, long size, String what) {
    Measured best = null;
    for (Measured m : r) {
      if (m.model().equals(model) && m.size() == size && m.what().equals(what)) {
        if (best == null || m.rowsPerSecond() > best.rowsPerSecond()) {
          best = m;
        }
      }
    }
    return best;
  }

  static String goals(List<Measured> r) {
    StringBuilder sb =
        new StringBuilder(
            "Goals (end to end writes Delta; SynapseML and \"scoring alone\" write nothing, so both"
                + " comparisons are shown):\n\n");
    for (String model : List.of("mlp", "tiny")) {
      for (long n :
          r.stream()
              .filter(m -> m.model().equals(model))
              .mapToLong(Measured::size)
              .distinct()
              .sorted()
              .toArray()) {
        Measured plain = find(r, model, n, "plain");
        Measured e2e = find(r, model, n, "e2e");
        Measured score = find(r, model, n, "score");
        Measured udf = find(r, model, n, "udf");
        Measured syn = find(r, model, n, "synapseml");
        Measured sql = find(r, model, n, "sql");
        String at0 = String.format(Locale.ROOT, "`%s`, %,d rows", model, n);
        if (sql != null) {
          goal(sb, at0 + ": SQL function ≥ 0.8x scoring alone", ratio(sql, score), 0.8);
        }
        if (e2e == null) {
          continue;
        }
        String at = String.format(Locale.ROOT, "`%s`, %,d rows", model, n);
        Measured write = find(r, model, n, "write");
        Measured copy = find(r, model, n, "copy");
        if (model.equals("mlp")) {
          goal(sb, at + ": end to end ≥ 0.9x the plain loop", ratio(e2e, plain), 0.9);
        } else {
          goal(sb, at + ": end to end ≥ 0.8x the I/O floor (7)", ratio(e2e, copy), 0.8);
        }
        if (write != null) {
          sb.append(
              String.format(
                  Locale.ROOT,
                  "- %s: end to end is %.2fx the write floor (6); the write floor is %.2fx the I/O"
                      + " floor (7)%n",
                  at,
                  ratio(e2e, write),
                  ratio(write, copy)));
        }
        goal(sb, at + ": end to end ≥ 1.5x SynapseML's best", ratio(e2e, syn), 1.5);
        goal(sb, at + ": scoring alone ≥ 1.5x SynapseML's best", ratio(score, syn), 1.5);
        goal(sb, at + ": end to end ≥ 10x the per-row UDF", ratio(e2e, udf), 10);
        goal(sb, at + ": scoring alone ≥ 10x the per-row UDF", ratio(score, udf), 10);
      }
    }
    long[] sizes =
        r.stream()
            .filter(m -> m.model().equals("mlp"))
            .mapToLong(Measured::size)
            .distinct()
            .sorted()
            .toArray();
    if (sizes.length >= 2) {
      Measured small = find(r, "mlp", sizes[0], "e2e");
      Measured big = find(r, "mlp", sizes[sizes.length - 1], "e2e");
      double factor = (double) sizes[sizes.length - 1] / sizes[0];
      if (small != null && big != null) {
        double t = big.seconds() / small.seconds();
        sb.append(
            String.format(
                Locale.ROOT,
                "- %,d rows take %.2fx the time of %,d (goal ≤ %.2fx): **%s**%n",
                sizes[sizes.length - 1],
                t,
                sizes[0],
                factor * 1.05,
                t <= factor * 1.05 ? "met" : "missed"));
        double mem = (double) big.peakRssBytes() / small.peakRssBytes();
        sb.append(
            String.format(
                Locale.ROOT,
                "- peak RSS at %,d rows is %.2fx that at %,d (goal ≤ 1.10x): **%s**%n",
                sizes[sizes.length - 1],
                mem,
                sizes[0],
                mem <= 1.10 ? "met" : "missed"));
        double live = (double) big.peakLiveHeapBytes() / small.peakLiveHeapBytes();
        sb.append(
            String.format(
                Locale.ROOT,
                "- peak live heap (after GC) at %,d rows is %.2fx that at %,d (goal ≤ 1.10x): **%s**%n",
                sizes[sizes.length - 1],
                live,
                sizes[0],
                live <= 1.10 ? "met" : "missed"));
      }
    }
    return sb.toString();
  }

  private static double ratio(Measured a, Measured b) {
    return a == null || b == null ? Double.NaN : a.rowsPerSecond() / b.rowsPerSecond();
  }

  private static void goal(StringBuilder sb, String what, double ratio, double target) {
    sb.append(
        Double.isNaN(ratio)
            ? String.format(Locale.ROOT, "- %s: not measured%n", what)
            : String.format(
                Locale.ROOT,
                "- %s: %.2fx, **%s**%n",
                what,
                ratio,
                ratio >= target ? "met" : "missed"));
  }
}
