package dev.inferlake.driver.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.inferlake.driver.demo.DemoData;
import dev.inferlake.driver.demo.DemoModels;
import dev.inferlake.driver.demo.PlainOnnxLoop;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.registry.ModelRegistry;
import dev.inferlake.driver.registry.OnnxLoadCheck;
import dev.inferlake.model.CompressionMethod;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake bench compression}: every compression method on every model, side by side in one
 * run. Each compressed version is made by the registry's own {@code compress} (so the sizes are
 * real package sizes), then scored by ONNX Runtime on held-out labelled rows (accuracy, top-1
 * agreement with fp32) and timed over in-memory rows in batches, the versions of a model taking
 * turns so that machine noise falls on all of them alike.
 */
@Command(
    name = "compression",
    mixinStandardHelpOptions = true,
    description = {
      "Measures each compression method on the demo models and the digits MLP: package bytes (raw"
          + " and zstd), accuracy on held-out labelled rows, top-1 agreement with fp32, and rows/s"
          + " of a plain ONNX Runtime loop (batch 1024), in one run. Prints a Markdown table and"
          + " writes it to --out."
    })
public final class CompressionBench implements Callable<Integer> {
  static final List<String> DEFAULT_METHODS =
      List.of("int8-weights", "int8-dynamic", "fp16", "prune:0.5", "prune:0.8");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--methods",
      split = ",",
      paramLabel = "M",
      description = "Methods to measure (default: ${DEFAULT-VALUE}).")
  List<String> methods = DEFAULT_METHODS;

  @Option(
      names = "--rows",
      defaultValue = "1000000",
      description = "Rows timed per demo-model version (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(
      names = "--mlp-rows",
      defaultValue = "100000",
      description = "Rows timed per digits-MLP version (default: ${DEFAULT-VALUE}).")
  int mlpRows;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Timed passes per version; the median counts (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime intra-op threads (default: every core).")
  int threads;

  @Option(
      names = "--digits",
      paramLabel = "DIR",
      description =
          "Folder with digits-mlp.onnx and digits.csv (default: scripts/models, found from here"
              + " up).")
  Path digits;

  @Option(
      names = "--out",
      defaultValue = "bench-results",
      paramLabel = "DIR",
      description = "Where compression.md goes (default: ${DEFAULT-VALUE}).")
  Path out;

  /** One model to compress: its fp32 bytes, held-out rows and the rows to time. */
  record Subject(
      String name,
      String description,
      byte[] fp32,
      int width,
      float[] heldOut,
      int[] labels,
      float[] timed) {
    int heldOutRows() {
      return labels.length;
    }
  }

  /** One row of the table. */
  record Measured(
      String model,
      String method,
      long rawBytes,
      long packedBytes,
      double packedShare,
      double accuracy,
      double accuracyDelta,
      double agreement,
      double rowsPerSecond,
      double speedup) {}

  @Override
  public Integer call() throws IOException, OrtException {
    PrintWriter log = spec.commandLine().getErr();
    int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    List<CompressionMethod> parsed = methods.stream().map(CompressionMethod::parse).toList();
    Path work = Files.createTempDirectory("inferlake-bench-compression");
    List<Subject> subjects = new ArrayList<>();
    subjects.addAll(demoSubjects(work, log));
    subjects.add(digitsSubject(log));
    List<Measured> table = new ArrayList<>();
    ModelRegistry registry = new ModelRegistry(work.resolve("registry").toUri().toString(), conf());
    for (Subject s : subjects) {
      table.addAll(measure(s, parsed, registry, t, log));
    }
    BenchCommand.publish(spec, out, "compression.md", markdown(subjects, table, t));
    return 0;
  }

  private static Configuration conf() {
    return new Configuration();
  }

  private List<Subject> demoSubjects(Path work, PrintWriter log) {
    SparkSession spark = dev.inferlake.driver.SparkSessions.getOrCreate("inferlake bench");
    String input = work.resolve("demo-input").toUri().toString();
    long total = Math.max(rows, 70_000);
    log.printf(Locale.ROOT, "bench: writing %,d demo rows and training the demo models%n", total);
    log.flush();
    DemoData.write(spark, input, total);
    List<DemoModels.Trained> trained = DemoModels.train(spark, input, 50_000, 20_000);
    List<String> names = DemoData.featureNames();
    List<Row> held =
        spark
            .read()
            .parquet(input)
            .where("id >= 50000 AND id < 70000")
            .orderBy("id")
            .selectExpr("array(" + String.join(", ", names) + ") AS x", "label")
            .collectAsList();
    float[] x = new float[held.size() * names.size()];
    int[] label = new int[held.size()];
    float[] timed = Arrays.copyOf(DemoData.readFeatures(spark, input, names), rows * names.size());
    List<Subject> subjects = new ArrayList<>();
    for (DemoModels.Trained m : trained) {
      for (int r = 0; r < held.size(); r++) {
        List<Double> v = held.get(r).getList(0);
        for (int j = 0; j < v.size(); j++) {
          x[r * names.size() + j] = v.get(j).floatValue();
        }
        // output column of the true class: label 1 sits at positiveIndex
        int positive = m.positiveIndex();
        label[r] = held.get(r).getInt(1) == 1 ? positive : 1 - positive;
      }
      subjects.add(
          new Subject(
              "demo:" + m.version(),
              "Tribuo "
                  + (m.version().startsWith("lr") ? "logistic regression" : "factorization machine")
                  + ", 16 features, synthetic data",
              m.onnx(),
              names.size(),
              x.clone(),
              label.clone(),
              timed));
    }
    return subjects;
  }

  private Subject digitsSubject(PrintWriter log) throws IOException {
    Path dir = digits != null ? digits : findDigits();
    byte[] model = Files.readAllBytes(dir.resolve("digits-mlp.onnx"));
    List<float[]> x = new ArrayList<>();
    List<Integer> y = new ArrayList<>();
    List<String> lines = Files.readAllLines(dir.resolve("digits.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      if (!f[f.length - 1].equals("test")) {
        continue;
      }
      float[] px = new float[64];
      for (int i = 0; i < 64; i++) {
        px[i] = Float.parseFloat(f[1 + i]);
      }
      x.add(px);
      y.add(Integer.parseInt(f[65]));
    }
    float[] held = new float[x.size() * 64];
    for (int r = 0; r < x.size(); r++) {
      System.arraycopy(x.get(r), 0, held, r * 64, 64);
    }
    // the timed rows: the held-out rows over and over
    float[] timed = new float[mlpRows * 64];
    for (int off = 0; off < timed.length; off += held.length) {
      System.arraycopy(held, 0, timed, off, Math.min(held.length, timed.length - off));
    }
    log.printf(Locale.ROOT, "bench: digits MLP from %s, %d held-out rows%n", dir, y.size());
    log.flush();
    return new Subject(
        "digits-mlp",
        "PyTorch MLP 64-1024-1024-10 (1.1M parameters), sklearn digits",
        model,
        64,
        held,
        y.stream().mapToInt(Integer::intValue).toArray(),
        timed);
  }

  static Path findDigits() {
    return dev.inferlake.driver.demo.ScriptsModels.find(
        new picocli.CommandLine(new CompressionBench()).getCommandSpec(),
        "digits-mlp.onnx",
        "--digits");
  }

  private List<Measured> measure(
      Subject s, List<CompressionMethod> methods, ModelRegistry registry, int t, PrintWriter log)
      throws OrtException {
    String name = s.name().replace("demo:", "demo-");
    ModelManifest fp32 = registry.register(name, "fp32", s.fp32(), null, null, Clock.systemUTC());
    Map<String, ModelManifest> versions = new LinkedHashMap<>();
    versions.put("fp32", fp32);
    for (CompressionMethod m : methods) {
      ModelRegistry.Compression c =
          registry.compress(
              name,
              "fp32",
              m.spec().replace(':', '-'),
              m,
              null,
              bytes -> OnnxLoadCheck.check(bytes, m.spec()),
              Clock.systemUTC());
      versions.put(m.spec(), c.target());
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OrtSession> sessions = new LinkedHashMap<>();
    Map<String, int[]> predicted = new LinkedHashMap<>();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(t);
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      for (Map.Entry<String, ModelManifest> v : versions.entrySet()) {
        byte[] raw =
            ModelPackage.unpack(
                v.getValue(),
                registry.payload(name, v.getValue().version()),
                null,
                ModelPackage.MAX_RAW_BYTES);
        OrtSession session = env.createSession(raw, so);
        sessions.put(v.getKey(), session);
        predicted.put(v.getKey(), argmax(session, s.heldOut(), s.width()));
      }
      Map<String, List<Double>> seconds = new LinkedHashMap<>();
      int batch = JobSpec.DEFAULT_BATCH_SIZE;
      int timedRows = s.timed().length / s.width();
      log.printf(
          Locale.ROOT,
          "bench: %s: timing %d versions x %d rounds over %,d rows%n",
          s.name(),
          sessions.size(),
          rounds,
          timedRows);
      log.flush();
      for (OrtSession session : sessions.values()) {
        PlainOnnxLoop.seconds(
            session, s.timed(), s.width(), batch, Math.min(timedRows, 20 * batch));
      }
      for (int round = 0; round < rounds; round++) {
        for (Map.Entry<String, OrtSession> e : sessions.entrySet()) {
          seconds
              .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(PlainOnnxLoop.seconds(e.getValue(), s.timed(), s.width(), batch, timedRows));
        }
      }
      List<Measured> rowsOut = new ArrayList<>();
      double baseAccuracy = accuracy(predicted.get("fp32"), s.labels());
      double baseSpeed = timedRows / median(seconds.get("fp32"));
      for (Map.Entry<String, ModelManifest> v : versions.entrySet()) {
        double acc = accuracy(predicted.get(v.getKey()), s.labels());
        double speed = timedRows / median(seconds.get(v.getKey()));
        rowsOut.add(
            new Measured(
                s.name(),
                v.getKey(),
                v.getValue().rawBytes(),
                v.getValue().packedBytes(),
                v.getValue().packedBytes() / (double) fp32.packedBytes(),
                acc,
                100 * (acc - baseAccuracy),
                agreement(predicted.get(v.getKey()), predicted.get("fp32")),
                speed,
                speed / baseSpeed));
      }
      return rowsOut;
    } finally {
      for (OrtSession session : sessions.values()) {
        session.close();
      }
    }
  }

  private static int[] argmax(OrtSession s, float[] x, int width) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int rows = x.length / width;
    FloatBuffer buf =
        ByteBuffer.allocateDirect(x.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    buf.put(x).flip();
    String input = s.getInputNames().iterator().next();
    try (OnnxTensor in = OnnxTensor.createTensor(env, buf, new long[] {rows, width});
        OrtSession.Result r = s.run(Map.of(input, in))) {
      float[][] p = (float[][]) r.get(0).getValue();
      int[] best = new int[rows];
      for (int i = 0; i < rows; i++) {
        for (int k = 1; k < p[i].length; k++) {
          if (p[i][k] > p[i][best[i]]) {
            best[i] = k;
          }
        }
      }
      return best;
    }
  }

  private static double accuracy(int[] predicted, int[] labels) {
    return agreement(predicted, labels);
  }

  private static double agreement(int[] a, int[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    return same / (double) a.length;
  }

  private static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private String markdown(List<Subject> subjects, List<Measured> table, int t) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Compression: size, accuracy and speed per method\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "Made by `scripts/bench compression` (inferlake %s, ONNX Runtime %s, %s, %d cores,"
                + " %d intra-op threads, batch %d; median of %d timed passes per version, the"
                + " versions of a model taking turns).%n%n",
            dev.inferlake.driver.Versions.inferlake(),
            ortVersion(),
            cpuModel(),
            Runtime.getRuntime().availableProcessors(),
            t,
            JobSpec.DEFAULT_BATCH_SIZE,
            rounds));
    for (Subject s : subjects) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- `%s`: %s; accuracy on %,d held-out labelled rows; rows/s over %,d rows%n",
              s.name(),
              s.description(),
              s.heldOutRows(),
              s.timed().length / s.width()));
    }
    sb.append('\n');
    sb.append(
        "| model | method | raw bytes | zstd bytes | zstd vs fp32 | accuracy | Δ points"
            + " | agreement with fp32 | rows/s | vs fp32 |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measured m : table) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %,d | %.1f%% | %.4f | %+.2f | %.2f%% | %,.0f | %.2fx |%n",
              m.model(),
              m.method(),
              m.rawBytes(),
              m.packedBytes(),
              100 * m.packedShare(),
              m.accuracy(),
              m.accuracyDelta(),
              100 * m.agreement(),
              m.rowsPerSecond(),
              m.speedup()));
    }
    sb.append('\n').append(goals(table));
    return sb.toString();
  }

  /** The goals on the 1M-parameter model, measured in this run. */
  static String goals(List<Measured> table) {
    StringBuilder sb = new StringBuilder("Goals on `digits-mlp`:\n\n");
    for (Measured m : table) {
      if (!m.model().equals("digits-mlp")) {
        continue;
      }
      if (m.method().equals("int8-weights")) {
        sb.append(
            goal(
                String.format(
                    Locale.ROOT,
                    "`int8-weights` package %.1f%% of the fp32 zstd package",
                    100 * m.packedShare()),
                "at most 30%",
                m.packedShare() <= 0.30));
      }
      if (m.method().startsWith("int8-dynamic")) {
        sb.append(
            goal(
                String.format(
                    Locale.ROOT, "`%s` %.2fx the fp32 rows/s on CPU", m.method(), m.speedup()),
                "at least 1.3x",
                m.speedup() >= 1.3));
      }
      if (!m.method().equals("fp32") && !m.method().startsWith("prune")) {
        sb.append(
            goal(
                String.format(
                    Locale.ROOT, "`%s` accuracy %+.2f points", m.method(), m.accuracyDelta()),
                "a drop of at most 0.5",
                m.accuracyDelta() >= -0.5));
      }
    }
    return sb.toString();
  }

  private static String goal(String what, String target, boolean met) {
    return "- " + what + " (goal: " + target + "): " + (met ? "**met**" : "**missed**") + "\n";
  }

  private static String ortVersion() {
    return OrtEnvironment.getEnvironment().getVersion();
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          String flags = Files.readString(Path.of("/proc/cpuinfo"));
          String simd =
              flags.contains("avx512_vnni") || flags.contains("avx_vnni")
                  ? "VNNI"
                  : flags.contains(" avx512f") ? "AVX-512" : flags.contains(" avx2") ? "AVX2" : "";
          return line.substring(line.indexOf(':') + 1).trim() + (simd.isEmpty() ? "" : ", " + simd);
        }
      }
    } catch (IOException e) {
      // not Linux: leave it out
    }
    return System.getProperty("os.arch");
  }
}
