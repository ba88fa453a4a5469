package dev.inferlake.driver.demo;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.driver.session.SqlText;
import dev.inferlake.reports.RunSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferlake demo}: makes data and two models, writes a job spec, runs it. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    subcommands = DemoTextCommand.class,
    description = {
      "Makes a labelled tabular dataset (Parquet), trains two model versions on it with Tribuo",
      "(logistic regression and a factorization machine, exported to ONNX), writes a job spec,",
      "runs it on the embedded local Spark and prints a summary, a plain ONNX Runtime loop over",
      "the same rows for comparison, and a SQL query to try.",
      "`demo text` runs the text demo instead (labels and embeddings of package descriptions)."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "1000000",
      description = "Rows to generate (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--dir",
      defaultValue = "demo-lake",
      description = "Folder for data, models, job spec and table (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--train-rows",
      defaultValue = "50000",
      description = "Rows the models are trained on (default: ${DEFAULT-VALUE}).")
  int trainRows;

  @Option(
      names = "--baseline",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Also time a plain ONNX Runtime loop over the same rows (default: on).")
  boolean baseline;

  @Override
  public Integer call() throws IOException {
    if (rows < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--rows must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root.resolve("models"));
    String input = root.resolve("input").toUri().toString();
    SparkSession spark = SparkSessions.getOrCreate("inferlake demo");

    long t0 = System.nanoTime();
    DemoData.write(spark, input, rows);
    out.printf(
        Locale.ROOT, "1/4 wrote %,d rows to %s (%.1f s)%n", rows, root.resolve("input"), secs(t0));
    out.flush();

    t0 = System.nanoTime();
    int train = (int) Math.min(trainRows, Math.max(1, rows / 2));
    int holdout = (int) Math.min(20_000, rows - train);
    List<DemoModels.Trained> models = DemoModels.train(spark, input, train, holdout);
    for (DemoModels.Trained m : models) {
      Files.write(root.resolve("models").resolve("demo-" + m.version() + ".onnx"), m.onnx());
    }
    out.printf(
        Locale.ROOT,
        "2/4 trained %d model versions on %,d rows (%.1f s); accuracy on the next %,d rows:%n",
        models.size(),
        train,
        secs(t0),
        holdout);
    for (DemoModels.Trained m : models) {
      out.printf(
          Locale.ROOT,
          "      demo:%s  %.4f   (class index of label 1: %d)%n",
          m.version(),
          m.holdoutAccuracy(),
          m.positiveIndex());
    }
    out.flush();

    Path job = root.resolve("job.yaml");
    Files.writeString(job, jobYaml(root, models));
    out.printf("3/4 wrote job spec %s%n", job);
    out.flush();

    JobSpec jobSpec = JobSpecLoader.load(job, List.of());
    LocalDate ds = LocalDate.now(Clock.systemUTC());
    RunSummary summary =
        new ScoringJob(spark, Clock.systemUTC())
            .withProgress(spec.commandLine().getErr(), java.time.Duration.ofSeconds(5))
            .run(jobSpec, ds);
    out.println("4/4 scored:");
    out.print(summary.render().indent(6));
    out.printf(
        "      report %s (and report.md, report.json; the runs table is %s)%n",
        root.resolve("report").resolve("report.html"), jobSpec.output().runsTableOrDefault());
    out.flush();

    if (baseline) {
      float[] features = DemoData.readFeatures(spark, input, DemoData.featureNames());
      int threads = Runtime.getRuntime().availableProcessors();
      out.printf(
          Locale.ROOT,
          "plain ONNX Runtime loop over the same %,d rows in memory (same JVM, %d threads, batch %d):%n",
          features.length / DemoData.FEATURES,
          threads,
          jobSpec.batchSizeOrDefault());
      double total = 0;
      for (DemoModels.Trained m : models) {
        double s =
            PlainOnnxLoop.seconds(
                m.onnx(), features, DemoData.FEATURES, jobSpec.batchSizeOrDefault(), threads);
        total += s;
        out.printf(
            Locale.ROOT, "      demo:%s  %.2f s  (%,.0f rows/s)%n", m.version(), s, rows / s);
      }
      out.printf(
          Locale.ROOT,
          "      both versions: %.2f s; inferlake end to end (Parquet in, Delta out) took %.2f s%n",
          total,
          summary.wall().toMillis() / 1000.0);
    }

    String query =
        String.format(
            Locale.ROOT,
            "SELECT model_version, count(*) AS rows, round(avg(prediction), 4) AS positive_rate "
                + "FROM delta.%s WHERE ds = DATE'%s' GROUP BY model_version ORDER BY model_version",
            SqlText.identifier(summary.table()),
            ds);
    out.println("SQL to try (spark-sql, a notebook, or any Delta reader):");
    out.println("  " + query);
    for (Row r : spark.sql(query).collectAsList()) {
      out.printf(
          Locale.ROOT, "      %s  %,d rows  positive rate %s%n", r.get(0), r.getLong(1), r.get(2));
    }
    out.flush();
    return 0;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static String jobYaml(Path root, List<DemoModels.Trained> models) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by `inferlake demo`: scores the demo dataset with two model versions.\n");
    sb.append("input:\n");
    sb.append("  path: ").append(root.resolve("input")).append('\n');
    sb.append("  format: parquet\n");
    sb.append("  key: [id]\n");
    sb.append("  features:\n");
    sb.append("    input: [").append(String.join(", ", DemoData.featureNames())).append("]\n");
    sb.append("models:\n");
    for (DemoModels.Trained m : models) {
      sb.append("  - name: demo\n");
      sb.append("    version: ").append(m.version()).append('\n');
      sb.append("    path: ")
          .append(root.resolve("models").resolve("demo-" + m.version() + ".onnx"))
          .append('\n');
    }
    sb.append("output:\n");
    sb.append("  table: ").append(root.resolve("predictions")).append('\n');
    sb.append("batch_size: ").append(JobSpec.DEFAULT_BATCH_SIZE).append('\n');
    sb.append("device: cpu\n");
    sb.append("evaluate:\n");
    sb.append("  label: label           # accuracy per version, stored in the runs table\n");
    sb.append("report:\n");
    sb.append("  out: ").append(root.resolve("report")).append('\n');
    sb.append("  baseline: demo:").append(models.get(0).version()).append('\n');
    return sb.toString();
  }
}
