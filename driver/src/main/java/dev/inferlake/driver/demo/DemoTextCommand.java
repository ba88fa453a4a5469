package dev.inferlake.driver.demo;

import dev.inferlake.driver.InferlakeCli;
import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.reports.RunSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake demo text}: the text model of {@code scripts/models/textclf.py} (Debian package
 * descriptions labelled by archive section) registered with its tokenizer, compressed to int8, and
 * both versions run over the corpus twice: once into labels (with accuracy against the sections),
 * once into L2-normalized mean-pooled embeddings; a report for each, then the nearest descriptions
 * to one of them by cosine similarity, in Spark SQL.
 */
@Command(
    name = "text",
    mixinStandardHelpOptions = true,
    description = {
      "The text demo: Debian package descriptions (scripts/models/textclf.csv, 3,160 rows) scored",
      "by the text model (tokenizer in the package) in two versions, fp32 and int8-dynamic, into",
      "labels (with accuracy against the archive section) and into embeddings (mean pooling over",
      "the attention mask, L2-normalized); writes both reports and shows the descriptions nearest",
      "to one of them by cosine similarity, in Spark SQL."
    })
public final class DemoTextCommand implements Callable<Integer> {
  /** The classes of textclf.py, in logit order. */
  static final List<String> CLASSES =
      List.of("fonts", "games", "graphics", "mail", "math", "science", "sound", "web");

  static final int MAX_LENGTH = 64;

  private static final String CLASSIFIER =
      "{kind: classifier, class_names: [" + String.join(", ", CLASSES) + "]}";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      defaultValue = "demo-text-lake",
      description =
          "Folder for data, registry, job specs, tables and reports (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--models",
      paramLabel = "DIR",
      description =
          "Folder with textclf.onnx, textclf-tokenizer.json and textclf.csv (default:"
              + " scripts/models, found from here up).")
  Path models;

  @Option(
      names = "--copies",
      defaultValue = "1",
      description =
          "Score the corpus this many times over (new ids), for a longer run (default:"
              + " ${DEFAULT-VALUE}).")
  int copies;

  @Option(
      names = "--query",
      defaultValue = "audacity",
      description =
          "The package whose description the nearest-texts query starts from (default:"
              + " ${DEFAULT-VALUE}).")
  String query;

  @Override
  public Integer call() throws IOException {
    if (copies < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--copies must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path source = models != null ? models : ScriptsModels.find(spec, "textclf.onnx", "--models");
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root);
    SparkSession spark = SparkSessions.getOrCreate("inferlake demo text");

    long t0 = System.nanoTime();
    String input = root.resolve("input").toString();
    long rows = writeInput(spark, source.resolve("textclf.csv"), input, copies);
    out.printf(
        Locale.ROOT,
        "1/5 wrote %,d descriptions (scripts/models/textclf.csv x %d) to %s (%.1f s)%n",
        rows,
        copies,
        input,
        secs(t0));
    out.flush();

    t0 = System.nanoTime();
    // The demo owns its registry: versions are made anew on every run.
    Path registryDir = root.resolve("registry");
    deleteTree(registryDir);
    String registry = registryDir.toString();
    cli(
        "model",
        "--registry",
        registry,
        "register",
        "--name",
        "textclf",
        "--version",
        "fp32",
        source.resolve("textclf.onnx").toString(),
        "--tokenizer",
        source.resolve("textclf-tokenizer.json").toString(),
        "--max-length",
        String.valueOf(MAX_LENGTH));
    cli(
        "model",
        "--registry",
        registry,
        "compress",
        "--from",
        "textclf:fp32",
        "--to",
        "int8",
        "--method",
        "int8-dynamic");
    out.printf(
        Locale.ROOT,
        "2/5 registered textclf:fp32 with its tokenizer (max length %d) and compressed it to"
            + " textclf:int8 (int8-dynamic) in %s (%.1f s)%n",
        MAX_LENGTH,
        registry,
        secs(t0));
    out.flush();

    LocalDate ds = LocalDate.now(Clock.systemUTC());
    Path labelsJob = root.resolve("labels.yaml");
    Files.writeString(labelsJob, labelsYaml(root));
    RunSummary labels = run(spark, labelsJob, ds);
    out.println("3/5 labels (" + labelsJob + "):");
    out.print(labels.render().indent(6));
    String runs =
        dev.inferlake.driver.session.SqlText.identifier(
            dev.inferlake.reports.RunsTable.defaultPath(labels.table()));
    for (Row r :
        spark
            .sql(
                "SELECT model_version, accuracy FROM delta."
                    + runs
                    + " WHERE run_id = '"
                    + labels.runId()
                    + "' ORDER BY model_version")
            .collectAsList()) {
      out.printf(
          Locale.ROOT,
          "      textclf:%s accuracy %.4f against the archive sections (all rows; the model was"
              + " trained on the 80%% with split = 'train')%n",
          r.getString(0),
          r.isNullAt(1) ? Double.NaN : r.getDouble(1));
    }
    out.printf("      report %s%n", root.resolve("report-labels").resolve("report.html"));
    out.flush();

    Path embeddingsJob = root.resolve("embeddings.yaml");
    Files.writeString(embeddingsJob, embeddingsYaml(root));
    RunSummary embeddings = run(spark, embeddingsJob, ds);
    out.println("4/5 embeddings (" + embeddingsJob + "):");
    out.print(embeddings.render().indent(6));
    out.printf("      report %s%n", root.resolve("report-embeddings").resolve("report.html"));
    out.flush();

    String sql = nearestSql(embeddings.table(), input, query, "fp32", 5);
    out.println("5/5 the descriptions nearest to package '" + query + "' (textclf:fp32, cosine):");
    out.println(sql.indent(6).stripTrailing());
    List<Row> nearest = spark.sql(sql).collectAsList();
    if (nearest.isEmpty()) {
      out.println("      (no package '" + query + "' in the corpus; try --query audacity)");
    }
    for (Row r : nearest) {
      out.printf(Locale.ROOT, "      %.3f  %-24s %s%n", r.getDouble(2), r.getString(0), r.get(1));
    }
    out.println("      notebooks/nearest-texts.ipynb does the same for any text; see README.");
    out.flush();
    return 0;
  }

  private RunSummary run(SparkSession spark, Path job, LocalDate ds) {
    JobSpec jobSpec = JobSpecLoader.load(job, List.of());
    return new ScoringJob(spark, Clock.systemUTC())
        .withProgress(spec.commandLine().getErr(), java.time.Duration.ofSeconds(5))
        .run(jobSpec, ds);
  }

  /**
   * Writes the corpus as Parquet: {@code id}, {@code package}, {@code text}, {@code label} (the
   * class index, as the model's logits are ordered), {@code section} and {@code split}; {@code
   * copies} times over with ids offset by the corpus size.
   *
   * @return rows written
   */
  static long writeInput(SparkSession spark, Path csv, String path, int copies) {
    Dataset<Row> corpus =
        spark
            .read()
            .option("header", "true")
            .option("multiLine", "true")
            .option("escape", "\"")
            .schema("id LONG, package STRING, text STRING, label STRING, split STRING")
            .csv(csv.toString());
    StringBuilder index = new StringBuilder("CASE label");
    for (int i = 0; i < CLASSES.size(); i++) {
      index.append(" WHEN '").append(CLASSES.get(i)).append("' THEN ").append(i);
    }
    index.append(" END");
    Dataset<Row> rows =
        corpus.selectExpr(
            "id", "package", "text", index + " AS label", "label AS section", "split");
    long n = rows.count();
    Dataset<Row> all =
        spark
            .range(copies)
            .withColumnRenamed("id", "copy")
            .crossJoin(rows)
            .selectExpr(
                "copy * " + n + " + id AS id", "package", "text", "label", "section", "split");
    // a few files, so both cores of a small machine get a task
    all.repartition(Math.max(4, copies)).write().mode(SaveMode.Overwrite).parquet(path);
    return n * copies;
  }

  static String labelsYaml(Path root) {
    return "# Written by `inferlake demo text`: labels (archive sections) from two versions.\n"
        + "input:\n"
        + "  path: "
        + root.resolve("input")
        + "\n"
        + "  format: parquet\n"
        + "  key: [id]\n"
        + "  features:\n"
        + "    text: [text]            # tokenized on the executors by the package's tokenizer\n"
        + "models:\n"
        + model("fp32", "logits", CLASSIFIER)
        + model("int8", "logits", CLASSIFIER)
        + "registry: "
        + root.resolve("registry")
        + "\n"
        + "output:\n"
        + "  table: "
        + root.resolve("labels")
        + "\n"
        + "evaluate:\n"
        + "  label: label             # the section's class index: accuracy per version\n"
        + "report:\n"
        + "  out: "
        + root.resolve("report-labels")
        + "\n"
        + "  baseline: textclf:fp32\n";
  }

  static String embeddingsYaml(Path root) {
    return "# Written by `inferlake demo text`: sentence embeddings from two versions.\n"
        + "input:\n"
        + "  path: "
        + root.resolve("input")
        + "\n"
        + "  format: parquet\n"
        + "  key: [id]\n"
        + "  features:\n"
        + "    text: [text]\n"
        + "models:\n"
        + model("fp32", "token_states", "{kind: embedding, pooling: mean, normalize: l2}")
        + model("int8", "token_states", "{kind: embedding, pooling: mean, normalize: l2}")
        + "registry: "
        + root.resolve("registry")
        + "\n"
        + "output:\n"
        + "  table: "
        + root.resolve("embeddings")
        + "\n"
        + "report:\n"
        + "  out: "
        + root.resolve("report-embeddings")
        + "\n"
        + "  baseline: textclf:fp32\n";
  }

  private static String model(String version, String output, String task) {
    return "  - name: textclf\n"
        + "    version: "
        + version
        + "\n"
        + "    output: "
        + output
        + "\n"
        + "    task: "
        + task
        + "\n";
  }

  /**
   * The {@code k} texts whose embeddings are nearest (cosine; the stored vectors are unit length,
   * so a dot product) to the embedding of package {@code pkg}'s text, by version {@code version}:
   * columns package, text, cosine.
   */
  static String nearestSql(String table, String input, String pkg, String version, int k) {
    String t = dev.inferlake.driver.session.SqlText.identifier(table);
    String in = dev.inferlake.driver.session.SqlText.identifier(input);
    String p = pkg.replace("'", "''");
    return String.format(
        Locale.ROOT,
        """
        WITH e AS (
          SELECT i.package, i.text, p.embedding
          FROM delta.%s p JOIN parquet.%s i ON p.id = i.id
          WHERE p.model_version = '%s'),
        q AS (SELECT embedding AS v FROM e WHERE package = '%s' LIMIT 1)
        SELECT e.package, e.text,
               aggregate(zip_with(e.embedding, q.v, (a, b) -> a * b), 0D, (s, x) -> s + x) AS cosine
        FROM e CROSS JOIN q
        WHERE e.package <> '%s'
        ORDER BY cosine DESC
        LIMIT %d""",
        t,
        in,
        version,
        p,
        p,
        k);
  }

  private static void cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = InferlakeCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    if (code != 0) {
      throw new dev.inferlake.model.InferlakeException(
          dev.inferlake.model.ErrorKind.MODEL,
          "demo text: inferlake "
              + String.join(" ", args)
              + " failed (exit "
              + code
              + "): "
              + err.toString().strip());
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (java.util.stream.Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
