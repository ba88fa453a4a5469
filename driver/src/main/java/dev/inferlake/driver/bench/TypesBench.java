package dev.inferlake.driver.bench;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake bench types}: int64 inputs against float inputs on the recommendation model
 * ({@code scripts/models/recsys.py}): the same network exported twice, once taking its five ids as
 * int64 (embedding lookups fed from bigint columns) and once as float (its float twin casts them
 * inside the graph, fed from float columns), scored end to end from Parquet (read, encode, ONNX
 * Runtime, decode; not written), the two taking turns so machine noise falls on both alike.
 */
@Command(
    name = "types",
    mixinStandardHelpOptions = true,
    description = {
      "Scores the recommendation model from int64 id columns and its float twin from float id"
          + " columns over the same rows (scripts/models/recsys.csv, repeated), taking turns;"
          + " prints rows/s of each (median of --rounds) and their ratio as a Markdown table."
    })
public final class TypesBench implements Callable<Integer> {
  static final List<String> IDS =
      List.of("occupation", "occupation_husb", "religious", "rate_marriage", "educ_bucket");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "2000000",
      description = "Rows scored per pass (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Timed passes per variant; the median counts (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--batch",
      defaultValue = "1024",
      description = "batch_size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--models",
      paramLabel = "DIR",
      description =
          "Folder with recsys.onnx, recsys-float.onnx and recsys.csv (default: scripts/models,"
              + " found from here up).")
  Path models;

  @Option(
      names = "--out",
      defaultValue = "bench-results",
      paramLabel = "DIR",
      description = "Where types.md goes (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path dir = models != null ? models : CompressionBench.findDigits();
    SparkSession spark = SparkSessions.getOrCreate("inferlake bench types");
    Path work = Files.createTempDirectory("inferlake-bench-types");
    String input = work.resolve("input").toString();
    Dataset<Row> base =
        spark
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv(dir.resolve("recsys.csv").toString());
    long n = base.count();
    List<Column> cols = new ArrayList<>(List.of(col("id").alias("k")));
    for (String id : IDS) {
      cols.add(col(id).cast(DataTypes.LongType).alias(id));
      cols.add(col(id).cast(DataTypes.FloatType).alias(id + "_f"));
    }
    cols.add(
        array(
                col("age").cast(DataTypes.FloatType),
                col("yrs_married").cast(DataTypes.FloatType),
                col("children").cast(DataTypes.FloatType))
            .alias("numeric"));
    spark
        .range(rows)
        .withColumn("k", col("id").mod(n))
        .join(broadcast(base.select(cols.toArray(new Column[0]))), "k")
        .drop("k")
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(input);

    String[] names = {"int64 ids (recsys.onnx)", "float ids (recsys-float.onnx)"};
    JobSpec[] jobs = {
      job(work, input, dir.resolve("recsys.onnx"), ""),
      job(work, input, dir.resolve("recsys-float.onnx"), "_f")
    };
    ScoringJob scoring = new ScoringJob(spark, Clock.systemUTC());
    spark.read().parquet(input).count();
    for (JobSpec j : jobs) { // warm-up: sessions, code paths
      scoring
          .predictions(j, LocalDate.of(2026, 1, 1))
          .limit(10_000)
          .write()
          .format("noop")
          .mode(SaveMode.Overwrite)
          .save();
    }
    double[][] seconds = new double[jobs.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < jobs.length; v++) {
        long t0 = System.nanoTime();
        scoring
            .predictions(jobs[v], LocalDate.of(2026, 1, 1))
            .write()
            .format("noop")
            .mode(SaveMode.Overwrite)
            .save();
        seconds[v][r] = (System.nanoTime() - t0) / 1e9;
      }
    }
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "# int64 vs float inputs: the recommendation model%n%n"
                + "%,d rows (scripts/models/recsys.csv repeated), batch %d, %d cores, scored from"
                + " Parquet and not written; median of %d passes, the two taking turns.%n%n"
                + "| inputs | seconds (median) | rows/s | vs float |%n|---|---|---|---|%n",
            rows,
            batch,
            Runtime.getRuntime().availableProcessors(),
            rounds));
    double floatMedian = BenchCommand.median(seconds[1]);
    for (int v = 0; v < jobs.length; v++) {
      double m = BenchCommand.median(seconds[v]);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %,.0f | %.2fx |%n",
              names[v],
              m,
              rows / m,
              floatMedian / m));
    }
    BenchCommand.publish(spec, out, "types.md", md.toString());
    return 0;
  }

  private JobSpec job(Path work, String input, Path model, String suffix) throws Exception {
    StringBuilder features = new StringBuilder("numeric: [numeric]");
    for (String id : IDS) {
      features.append(", ").append(id).append(": [").append(id).append(suffix).append("]");
    }
    Path job = work.resolve("job" + suffix + ".yaml");
    Files.writeString(
        job,
        "input: {path: "
            + input
            + ", key: [id], features: {"
            + features
            + "}}\nmodels:\n  - {name: recsys, version: v1, path: "
            + model
            + ", output: score}\noutput: {table: "
            + work.resolve("unused")
            + "}\nbatch_size: "
            + batch
            + "\n");
    return JobSpecLoader.load(job, List.of());
  }
}
