package dev.inferlake.driver.bench;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.demo.DemoData;
import dev.inferlake.driver.demo.DemoModels;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake bench incremental}: the time of an incremental run that finds 1% new rows in its
 * Delta input against a full (batch) run of the same job over the whole input, end to end (Delta
 * in, Delta out, runs table), in one JVM: first the incremental job's backfill (which also warms
 * the JVM), then, {@code --rounds} times, a full run and an incremental run after an append of 1%
 * of the rows.
 */
@Command(
    name = "incremental",
    mixinStandardHelpOptions = true,
    description = {
      "Times an incremental run over 1% new rows of a Delta input against a full run of the same"
          + " job (the demo's logistic regression, end to end), in one JVM; prints a Markdown"
          + " table with the medians and their ratio (goal: at most 0.05)."
    })
public final class IncrementalBench implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "2000000",
      description = "Rows of the input before the appends (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--new-share",
      defaultValue = "0.01",
      description = "Rows appended before each incremental run, as a share (default: 1%).")
  double newShare;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "Timed full and incremental runs; the medians count (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--out",
      defaultValue = "bench-results",
      paramLabel = "DIR",
      description = "Where incremental.md goes (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter log = spec.commandLine().getErr();
    Path work = out.resolve("incremental-work").toAbsolutePath();
    FileUtils.deleteDirectory(work.toFile());
    Files.createDirectories(work);
    SparkSession spark = SparkSessions.getOrCreate("inferlake bench incremental");
    String train = work.resolve("train").toString();
    DemoData.write(spark, train, 20_000);
    Path model = work.resolve("tiny.onnx");
    Files.write(model, DemoModels.train(spark, train, 16_000, 4_000).get(0).onnx());
    String source = work.resolve("source").toString();
    DemoData.write(spark, source, rows);
    String input = work.resolve("input").toString();
    spark.read().parquet(source).write().format("delta").save(input);
    log.printf(Locale.ROOT, "bench: %,d rows in the Delta input %s%n", rows, input);
    log.flush();

    JobSpec incremental = spec(work, input, model, "incremental", "incremental");
    JobSpec full = spec(work, input, model, "full", "batch");
    ScoringJob job = new ScoringJob(spark, Clock.systemUTC());
    LocalDate ds = LocalDate.of(2026, 1, 1);
    long t0 = System.nanoTime();
    long backfilled = job.run(incremental, ds).inputRows();
    double backfill = (System.nanoTime() - t0) / 1e9;

    long appended = Math.max(1, (long) (rows * newShare));
    double[] fullSeconds = new double[rounds];
    double[] incSeconds = new double[rounds];
    long total = rows;
    long incRows = 0;
    for (int r = 0; r < rounds; r++) {
      t0 = System.nanoTime();
      job.run(full, ds);
      fullSeconds[r] = (System.nanoTime() - t0) / 1e9;
      spark
          .read()
          .parquet(source)
          .limit((int) appended)
          .withColumn("id", functions.col("id").plus(total))
          .write()
          .format("delta")
          .mode("append")
          .save(input);
      total += appended;
      t0 = System.nanoTime();
      incRows = job.run(incremental, ds).inputRows();
      incSeconds[r] = (System.nanoTime() - t0) / 1e9;
      log.printf(
          Locale.ROOT,
          "bench: round %d: full run %.1f s, incremental run (%,d new rows) %.1f s%n",
          r + 1,
          fullSeconds[r],
          incRows,
          incSeconds[r]);
      log.flush();
    }
    double f = BenchCommand.median(fullSeconds);
    double i = BenchCommand.median(incSeconds);
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Measured with `scripts/bench incremental --rows %d --rounds %d` on %d cores, local"
                + " Spark, one JVM; the demo's logistic regression, end to end (Delta in, Delta"
                + " out, runs table). Medians of %d rounds.%n%n",
            rows,
            rounds,
            Runtime.getRuntime().availableProcessors(),
            rounds));
    md.append("| run | input rows scored | seconds |\n|---|---:|---:|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| incremental, first run (backfill of every row) | %,d | %.1f |%n",
            backfilled,
            backfill));
    md.append(
        String.format(
            Locale.ROOT,
            "| full run (batch mode) | %,d (last round) | %.1f |%n",
            total - appended,
            f));
    md.append(
        String.format(
            Locale.ROOT,
            "| incremental, %.1f%% new rows | %,d | %.1f |%n",
            newShare * 100,
            incRows,
            i));
    md.append(
        String.format(
            Locale.ROOT,
            "%nIncremental run over %.1f%% new rows takes %.3fx the full run's time (goal ≤ 0.05):"
                + " **%s**%n",
            newShare * 100,
            i / f,
            i / f <= 0.05 ? "met" : "missed"));
    BenchCommand.publish(spec, out, "incremental.md", md.toString());
    FileUtils.deleteDirectory(new File(work.toString()));
    return 0;
  }

  private static JobSpec spec(Path work, String input, Path model, String name, String mode) {
    List<String> features = new ArrayList<>(DemoData.featureNames());
    String yaml =
        "input: {path: "
            + input
            + ", format: delta, mode: "
            + mode
            + ", key: [id], features: {input: ["
            + String.join(", ", features)
            + "]}}\nmodels:\n  - {name: tiny, version: v1, path: "
            + model
            + "}\noutput: {table: "
            + work.resolve(name)
            + "}\n";
    return JobSpecLoader.parse(yaml, "bench incremental (" + name + ")", List.of());
  }
}
