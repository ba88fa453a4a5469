package dev.inferlake.driver.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.inferlake.driver.InferlakeCli;
import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.executors.ImageFeed;
import dev.inferlake.executors.ImagePreprocessor;
import dev.inferlake.model.ModelManifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake bench images}: the image model of {@code scripts/models/digits_cnn.py} over a
 * folder of its held-out picture files (repeated to {@code --images} files), measured side by side:
 * (1) a plain Java loop (read each file, decode and preprocess with the same {@link
 * ImagePreprocessor}, one shared ONNX Runtime session), (2) inferlake end to end from the folder
 * ({@code input.format: images}) into Spark's noop sink, decoding ahead of the model and (3) not,
 * and (4) reading, decoding and preprocessing alone. Then memory: inferlake over {@code --images}
 * and over {@code --large} files, the JVM's heap sampled while it runs.
 */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = {
      "Scores the image model (scripts/models/digits-cnn.onnx) over its held-out pictures copied to"
          + " --images files: a plain Java loop (same decoding, preprocessing and ONNX Runtime),"
          + " inferlake with decoding ahead on and off, and decoding alone, taking turns; then"
          + " inferlake's heap at --images and --large files. Prints a Markdown table."
    })
public final class ImageBench implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--images",
      defaultValue = "10000",
      description = "Picture files scored per pass (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(
      names = "--large",
      defaultValue = "100000",
      description =
          "Picture files of the memory comparison's large run (default: ${DEFAULT-VALUE}); 0 to"
              + " skip it.")
  int large;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Timed passes per variant; the median counts (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "batch_size, for inferlake and the plain loop (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--models",
      paramLabel = "DIR",
      description =
          "Folder with digits-cnn.onnx and images/digits/ (default: scripts/models, found from here"
              + " up).")
  Path models;

  @Option(
      names = "--out",
      defaultValue = "bench-results",
      paramLabel = "DIR",
      description = "Where images.md goes (default: ${DEFAULT-VALUE}).")
  Path out;

  static final ModelManifest.Image PREPROCESSING =
      new ModelManifest.Image(
          "pixels",
          ModelManifest.Image.RGB,
          ModelManifest.Image.NCHW,
          32,
          ModelManifest.Image.BILINEAR,
          1.0 / 255,
          List.of(0.485, 0.456, 0.406),
          List.of(0.229, 0.224, 0.225));

  static final long[] SHAPE = {-1, 3, 28, 28};

  @Override
  public Integer call() throws Exception {
    Path dir = models != null ? models : CompressionBench.findDigits();
    Path onnx = dir.resolve("digits-cnn.onnx");
    List<Path> originals;
    try (Stream<Path> s = Files.list(dir.resolve("images").resolve("digits"))) {
      originals = s.sorted().toList();
    }
    SparkSession spark = SparkSessions.getOrCreate("inferlake bench images");
    Path work = Files.createTempDirectory("inferlake-bench-images");
    Path small = copies(originals, work.resolve("pictures-" + images), images);
    List<Path> files;
    try (Stream<Path> s = Files.list(small)) {
      files = s.sorted().toList();
    }
    long bytes = 0;
    for (Path f : files) {
      bytes += Files.size(f);
    }

    String registry = work.resolve("registry").toString();
    StringWriter regErr = new StringWriter();
    int code =
        InferlakeCli.execute(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(regErr, true),
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "digits-cnn",
            "--version",
            "v1",
            onnx.toString(),
            "--image-resize",
            "32",
            "--image-mean",
            "0.485,0.456,0.406",
            "--image-std",
            "0.229,0.224,0.225");
    if (code != 0) {
      throw new IllegalStateException(
          "registering digits-cnn failed (exit " + code + "): " + regErr);
    }

    String[] names = {
      "(1) plain Java loop: read + decode + preprocess (same code) + ONNX Runtime",
      "(2) inferlake from the folder (input.format: images), decoding ahead",
      "(3) inferlake from the folder, decoding in the task thread",
      "(4) read + decode + preprocess alone (same batches and threads as (1))",
      "(5) Spark's binaryFile scan of the folder alone (path, content; noop sink)"
    };
    JobSpec job = job(work, small, registry);
    ScoringJob scoring = new ScoringJob(spark, Clock.systemUTC());
    int threads = Runtime.getRuntime().availableProcessors();
    double[][] seconds = new double[names.length][rounds];
    ImagePreprocessor pre =
        new ImagePreprocessor(PREPROCESSING, SHAPE, ImageFeed.DEFAULT_MAX_PIXELS);
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session =
          OrtEnvironment.getEnvironment().createSession(Files.readAllBytes(onnx), so)) {
        // warm-up: sessions, natives, code paths
        plain(session, pre, files.subList(0, Math.min(files.size(), 2000)), batch, threads);
        noop(scoring, job);
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          plain(session, pre, files, batch, threads);
          seconds[0][r] = (System.nanoTime() - t0) / 1e9;
          t0 = System.nanoTime();
          noop(scoring, job);
          seconds[1][r] = (System.nanoTime() - t0) / 1e9;
          System.setProperty("inferlake.image.decodeAhead", "false");
          try {
            t0 = System.nanoTime();
            noop(scoring, job);
            seconds[2][r] = (System.nanoTime() - t0) / 1e9;
          } finally {
            System.clearProperty("inferlake.image.decodeAhead");
          }
          t0 = System.nanoTime();
          plain(null, pre, files, batch, threads);
          seconds[3][r] = (System.nanoTime() - t0) / 1e9;
          t0 = System.nanoTime();
          spark
              .read()
              .format("binaryFile")
              .load(small.toString())
              .select("path", "content")
              .write()
              .format("noop")
              .mode(SaveMode.Overwrite)
              .save();
          seconds[4][r] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    long[] heapSmall = heapWhile(() -> noop(scoring, job));
    long[] heapLarge = null;
    if (large > 0) {
      Path big = copies(originals, work.resolve("pictures-" + large), large);
      JobSpec bigJob = job(work, big, registry);
      heapLarge = heapWhile(() -> noop(scoring, bigJob));
    }

    double[] m = new double[names.length];
    for (int v = 0; v < names.length; v++) {
      m[v] = BenchCommand.median(seconds[v]);
    }
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "# Image scoring: inferlake vs a plain Java loop%n%n"
                + "%,d picture files (scripts/models/images/digits' %d PNG and JPEG files, 24 to 56"
                + " pixels a side, copied; %.1f MB), digits-cnn.onnx (float[N,3,28,28]), resize 32,"
                + " centre crop 28, batch %d, %d cores: the plain loop runs %d threads taking"
                + " batches in turn over one shared ONNX Runtime session with one intra-op thread"
                + " (as Spark's %d local tasks run inferlake); inferlake lists and reads the folder"
                + " with Spark's binaryFile source and does not write (noop sink); median of %d"
                + " passes, the variants taking turns.%n%n"
                + "| variant | seconds (median) | images/s | vs plain loop |%n|---|---|---|---|%n",
            files.size(),
            originals.size(),
            bytes / 1e6,
            batch,
            threads,
            threads,
            threads,
            rounds));
    for (int v = 0; v < names.length; v++) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %,.0f | %.2fx |%n",
              names[v],
              m[v],
              files.size() / m[v],
              m[0] / m[v]));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%n| measure | value | target |%n|---|---|---|%n"
                + "| inferlake (decoding ahead) / plain loop, images/s | %.2fx | ≥ 0.8x |%n"
                + "| inferlake (decoding in the task) / plain loop, images/s | %.2fx | |%n"
                + "| read + decode + preprocess share of the plain loop's time, (4)/(1) | %.0f%% |"
                + " |%n",
            m[0] / m[1],
            m[0] / m[2],
            100 * m[3] / m[0]));
    md.append(
        String.format(
            Locale.ROOT,
            "| inferlake over %,d files: peak live heap (used after a full GC, every 0.5 s),"
                + " direct buffers | %,.0f MB, %,.1f MB | |%n",
            files.size(),
            heapSmall[0] / 1e6,
            heapSmall[1] / 1e6));
    if (heapLarge != null) {
      md.append(
          String.format(
              Locale.ROOT,
              "| inferlake over %,d files: peak live heap, direct buffers | %,.0f MB, %,.1f MB |"
                  + " flat |%n",
              large,
              heapLarge[0] / 1e6,
              heapLarge[1] / 1e6));
    }
    md.append(
        "\nHeap figures are the driver JVM's (local mode: executors share it), Spark's own"
            + " structures included (its file index lists every file): the sampler forces a full"
            + " GC every 0.5 s and reads the heap used after it.\n");
    BenchCommand.publish(spec, out, "images.md", md.toString());
    return 0;
  }

  /** {@code count} files in {@code dir}, copies of {@code originals} in turn. */
  private static Path copies(List<Path> originals, Path dir, int count) throws Exception {
    Files.createDirectories(dir);
    for (int i = 0; i < count; i++) {
      Path src = originals.get(i % originals.size());
      String name = src.getFileName().toString();
      Files.copy(src, dir.resolve(String.format(Locale.ROOT, "%07d-%s", i, name)));
    }
    return dir;
  }

  private static void noop(ScoringJob scoring, JobSpec job) {
    scoring
        .predictions(job, LocalDate.of(2026, 1, 1))
        .write()
        .format("noop")
        .mode(SaveMode.Overwrite)
        .save();
  }

  interface Work {
    void run() throws Exception;
  }

  /**
   * Peak live heap (used right after a full GC, forced every 0.5 s) and peak direct-buffer bytes
   * while {@code work} runs.
   */
  private static long[] heapWhile(Work work) throws Exception {
    System.gc();
    AtomicLong heap = new AtomicLong();
    AtomicLong direct = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    List<BufferPoolMXBean> pools =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> p.getName().equals("direct"))
            .toList();
    Thread sampler =
        new Thread(
            () -> {
              Runtime rt = Runtime.getRuntime();
              while (!done.get()) {
                System.gc();
                heap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                long d = 0;
                for (BufferPoolMXBean p : pools) {
                  d += p.getMemoryUsed();
                }
                direct.accumulateAndGet(d, Math::max);
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      work.run();
    } finally {
      done.set(true);
      sampler.join();
    }
    return new long[] {heap.get(), direct.get()};
  }

  /**
   * One pass of the plain loop: {@code threads} threads take batches of files in turn; each reads,
   * decodes and preprocesses its batch and, when {@code session} is not null, runs it.
   */
  static void plain(
      OrtSession session, ImagePreprocessor pre, List<Path> files, int batch, int threads)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int per = pre.valuesPerPicture();
    TextBench.parallel(
        files.size(),
        batch,
        threads,
        (from, to) -> {
          int size = to - from;
          float[] values = new float[size * per];
          for (int i = 0; i < size; i++) {
            ImagePreprocessor.Refusal r =
                pre.preprocess(Files.readAllBytes(files.get(from + i)), values, i * per);
            if (r != null) {
              throw new IllegalStateException(files.get(from + i) + ": " + r);
            }
          }
          if (session == null) {
            return;
          }
          long[] shape = {size, 3, 28, 28};
          try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
              OrtSession.Result res = session.run(Map.of("pixels", t), Set.of("probabilities"))) {
            float[][] p = (float[][]) res.get(0).getValue();
            if (p.length != size) {
              throw new IllegalStateException("expected " + size + " rows of probabilities");
            }
          }
        });
  }

  private JobSpec job(Path work, Path pictures, String registry) throws Exception {
    Path job = work.resolve("job-" + pictures.getFileName() + ".yaml");
    Files.writeString(
        job,
        "input: {path: "
            + pictures
            + ", format: images, key: [path]}\n"
            + "models:\n  - {name: digits-cnn, version: v1}\n"
            + "registry: "
            + registry
            + "\noutput: {table: "
            + work.resolve("unused")
            + "}\nbatch_size: "
            + batch
            + "\n");
    return JobSpecLoader.load(job, List.of());
  }
}
