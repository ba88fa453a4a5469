package dev.inferlake.driver.bench;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.inferlake.driver.InferlakeCli;
import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.executors.TextTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake bench text}: the text model of {@code scripts/models/textclf.py} over the same
 * texts ({@code textclf.csv}'s descriptions, repeated), measured side by side: (1) a plain Java
 * loop (the same DJL tokenizer and an ONNX Runtime session, texts in memory, each batch padded to
 * its longest row), (2) inferlake end to end from Parquet into Spark's noop sink, with length
 * bucketing on and off, and (3) tokenization alone. The variants take turns over the rounds so
 * machine noise falls on all alike; medians count.
 */
@Command(
    name = "text",
    mixinStandardHelpOptions = true,
    description = {
      "Scores the text model (scripts/models/textclf.onnx with its tokenizer) over textclf.csv's"
          + " texts repeated to --rows: a plain Java loop (DJL tokenizer + ONNX Runtime, in"
          + " memory), inferlake from Parquet with bucketing on and off, and tokenization alone,"
          + " taking turns; prints rows/s (median of --rounds), the ratio to the plain loop, the"
          + " tokenization share and the padding share as a Markdown table."
    })
public final class TextBench implements Callable<Integer> {
  static final int MAX_LENGTH = 64;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "200000",
      description = "Texts scored per pass (default: ${DEFAULT-VALUE}).")
  int rows;

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
          "Folder with textclf.onnx, textclf-tokenizer.json and textclf.csv (default:"
              + " scripts/models, found from here up).")
  Path models;

  @Option(
      names = "--out",
      defaultValue = "bench-results",
      paramLabel = "DIR",
      description = "Where text.md goes (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path dir = models != null ? models : CompressionBench.findDigits();
    Path onnx = dir.resolve("textclf.onnx");
    Path tokenizerFile = dir.resolve("textclf-tokenizer.json");
    SparkSession spark = SparkSessions.getOrCreate("inferlake bench text");
    Path work = Files.createTempDirectory("inferlake-bench-text");

    // the texts, in file order; row i of every variant is text i mod n
    List<String> base = new ArrayList<>();
    for (Row r :
        spark
            .read()
            .option("header", "true")
            .option("multiLine", "true")
            .option("escape", "\"")
            .csv(dir.resolve("textclf.csv").toString())
            .select("text")
            .collectAsList()) {
      base.add(r.isNullAt(0) ? "" : r.getString(0));
    }
    int n = base.size();
    List<String> texts = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      texts.add(base.get(i % n));
    }
    List<Row> keyed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keyed.add(RowFactory.create((long) i, base.get(i)));
    }
    StructType schema =
        new StructType()
            .add("k", DataTypes.LongType, false)
            .add("text", DataTypes.StringType, true);
    String input = work.resolve("input").toString();
    spark
        .range(rows)
        .withColumn("k", col("id").mod(n))
        .join(broadcast(spark.createDataFrame(keyed, schema)), "k")
        .drop("k")
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(input);

    String registry = work.resolve("registry").toString();
    StringWriter regOut = new StringWriter();
    StringWriter regErr = new StringWriter();
    int code =
        InferlakeCli.execute(
            new PrintWriter(regOut, true),
            new PrintWriter(regErr, true),
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "textclf",
            "--version",
            "v1",
            onnx.toString(),
            "--tokenizer",
            tokenizerFile.toString(),
            "--max-length",
            String.valueOf(MAX_LENGTH));
    if (code != 0) {
      throw new IllegalStateException("registering textclf failed (exit " + code + "): " + regErr);
    }

    String[] names = {
      "(1) plain Java loop: DJL tokenizer + ONNX Runtime, in memory",
      "(2) inferlake from Parquet, bucketing on",
      "(2) inferlake from Parquet, bucketing off",
      "(3) tokenization alone (DJL, same batches and threads as (1))"
    };
    JobSpec[] jobs = {job(work, input, registry, true), job(work, input, registry, false)};
    ScoringJob scoring = new ScoringJob(spark, Clock.systemUTC());
    int threads = Runtime.getRuntime().availableProcessors();
    double[][] seconds = new double[names.length][rounds];
    int[] lengths = new int[rows];
    try (TextTokenizer tokenizer =
            TextTokenizer.load(
                Files.readAllBytes(tokenizerFile),
                MAX_LENGTH,
                TextTokenizer.Truncation.RIGHT,
                "textclf:v1");
        OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session =
          OrtEnvironment.getEnvironment().createSession(Files.readAllBytes(onnx), so)) {
        // warm-up: sessions, natives, code paths
        List<String> few = texts.subList(0, Math.min(rows, 10_000));
        plain(session, tokenizer, few, batch, threads);
        tokenize(tokenizer, few, batch, threads, null);
        spark.read().parquet(input).count();
        for (JobSpec j : jobs) {
          scoring
              .predictions(j, LocalDate.of(2026, 1, 1))
              .limit(10_000)
              .write()
              .format("noop")
              .mode(SaveMode.Overwrite)
              .save();
        }
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          plain(session, tokenizer, texts, batch, threads);
          seconds[0][r] = (System.nanoTime() - t0) / 1e9;
          for (int v = 0; v < jobs.length; v++) {
            t0 = System.nanoTime();
            scoring
                .predictions(jobs[v], LocalDate.of(2026, 1, 1))
                .write()
                .format("noop")
                .mode(SaveMode.Overwrite)
                .save();
            seconds[1 + v][r] = (System.nanoTime() - t0) / 1e9;
          }
          t0 = System.nanoTime();
          tokenize(tokenizer, texts, batch, threads, lengths);
          seconds[3][r] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }

    double[] m = new double[names.length];
    for (int v = 0; v < names.length; v++) {
      m[v] = BenchCommand.median(seconds[v]);
    }
    double padOff = paddingShare(lengths, batch, false);
    double padOn = paddingShare(lengths, batch, true);
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "# Text scoring: inferlake vs a plain Java loop%n%n"
                + "%,d texts (scripts/models/textclf.csv's %,d descriptions repeated), textclf.onnx"
                + " with textclf-tokenizer.json (max length %d), batch %d, %d cores: the plain loop and"
                + " tokenization run %d threads taking batches in turn, one shared ONNX Runtime"
                + " session with one intra-op thread (as Spark's %d local tasks, one thread each,"
                + " run inferlake); inferlake reads Parquet and does not write (noop sink); median of"
                + " %d passes, the variants taking turns.%n%n"
                + "| variant | seconds (median) | rows/s | vs plain loop |%n|---|---|---|---|%n",
            rows,
            n,
            MAX_LENGTH,
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
              rows / m[v],
              m[0] / m[v]));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%n| measure | value | target |%n|---|---|---|%n"
                + "| inferlake (bucketing on) / plain loop, rows/s | %.2fx | ≥ 0.8x |%n"
                + "| inferlake (bucketing off) / plain loop, rows/s | %.2fx | |%n"
                + "| tokenization share of the plain loop's time, (3)/(1) | %.0f%% | ≤ 20%% |%n"
                + "| padding share, bucketing off (padded / all positions) | %.3f | |%n"
                + "| padding share, bucketing on | %.3f | |%n%n"
                + "Padding shares are computed here from each text's token count: batches of %d"
                + " in row order (off), or windows of %d batches sorted by token count (on), as"
                + " the job does per task; Spark's task boundaries are not modelled, so the job's"
                + " own figures (runs table, `text_padding_share`) may differ slightly.%n",
            m[0] / m[1],
            m[0] / m[2],
            100 * m[3] / m[0],
            padOff,
            padOn,
            batch,
            8));
    BenchCommand.publish(spec, out, "text.md", md.toString());
    return 0;
  }

  /**
   * One pass of the plain loop: {@code threads} threads (as many as Spark's local tasks) take
   * batches in turn; each tokenizes its batch, pads it to its longest row and runs the shared
   * session (one intra-op thread, as inferlake's tasks do).
   */
  static void plain(
      OrtSession session, TextTokenizer tokenizer, List<String> texts, int batch, int threads)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    parallel(
        texts.size(),
        batch,
        threads,
        (from, to) -> {
          int size = to - from;
          TextTokenizer.Batch b = tokenizer.encode(texts.subList(from, to));
          int w = b.longest();
          long[] ids = new long[size * w];
          long[] mask = new long[size * w];
          for (int i = 0; i < size; i++) {
            long[] row = b.inputIds()[i];
            System.arraycopy(row, 0, ids, i * w, row.length);
            Arrays.fill(mask, i * w, i * w + row.length, 1L);
          }
          long[] shape = {size, w};
          try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
              OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
              OrtSession.Result res =
                  session.run(Map.of("input_ids", t, "attention_mask", a), Set.of("logits"))) {
            float[][] logits = (float[][]) res.get(0).getValue();
            if (logits.length != size) {
              throw new IllegalStateException("expected " + size + " rows of logits");
            }
          }
        });
  }

  /**
   * Tokenization alone, in the same batches and threads; records each text's token count when
   * asked.
   */
  static void tokenize(
      TextTokenizer tokenizer, List<String> texts, int batch, int threads, int[] lengths)
      throws Exception {
    parallel(
        texts.size(),
        batch,
        threads,
        (from, to) -> {
          TextTokenizer.Batch b = tokenizer.encode(texts.subList(from, to));
          if (lengths != null) {
            for (int i = 0; i < b.size(); i++) {
              lengths[from + i] = b.inputIds()[i].length;
            }
          }
        });
  }

  interface BatchWork {
    void run(int from, int to) throws Exception;
  }

  /** Runs {@code work} on every batch of {@code rows}, {@code threads} threads taking turns. */
  static void parallel(int rows, int batch, int threads, BatchWork work) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int from = next.getAndAdd(batch);
                      from < rows;
                      from = next.getAndAdd(batch)) {
                    work.run(from, Math.min(rows, from + batch));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Padded positions over all positions when each batch pads to its longest row. */
  static double paddingShare(int[] lengths, int batch, boolean bucketing) {
    int[] order = lengths.clone();
    if (bucketing) {
      int window = Math.min(1 << 16, batch * 8);
      for (int from = 0; from < order.length; from += window) {
        Arrays.sort(order, from, Math.min(order.length, from + window));
      }
    }
    long all = 0;
    long real = 0;
    for (int from = 0; from < order.length; from += batch) {
      int to = Math.min(order.length, from + batch);
      int longest = 0;
      for (int i = from; i < to; i++) {
        longest = Math.max(longest, order[i]);
        real += order[i];
      }
      all += (long) longest * (to - from);
    }
    return all == 0 ? 0 : (all - real) / (double) all;
  }

  private JobSpec job(Path work, String input, String registry, boolean bucketing)
      throws Exception {
    Path job = work.resolve("job-" + (bucketing ? "bucketed" : "unbucketed") + ".yaml");
    Files.writeString(
        job,
        "input: {path: "
            + input
            + ", key: [id], features: {text: [text]}}\n"
            + "models:\n  - {name: textclf, version: v1, output: logits}\n"
            + "registry: "
            + registry
            + "\noutput: {table: "
            + work.resolve("unused")
            + "}\nbatch_size: "
            + batch
            + "\ntext_bucketing: "
            + bucketing
            + "\n");
    return JobSpecLoader.load(job, List.of());
  }
}
