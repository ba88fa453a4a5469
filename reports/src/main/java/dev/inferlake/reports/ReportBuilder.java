package dev.inferlake.reports;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.inferlake.reports.internal.Embeddings;
import dev.inferlake.reports.internal.Rows;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Builds a {@link Report} from a prediction table and its runs table. Everything over predictions
 * (score histograms, deciles, PSI counts, agreement, accuracy against labels) is a Spark
 * aggregation; only counts reach the driver.
 */
public final class ReportBuilder {
  /**
   * The prediction table's own columns (as the executors write them); every other column but the
   * {@link #OPTIONAL_PREDICTION_COLUMNS} is a key.
   */
  public static final List<String> PREDICTION_COLUMNS =
      List.of(
          "prediction",
          "probabilities",
          "model_name",
          "model_version",
          "model_digest",
          "run_id",
          "ds",
          "scored_at");

  /**
   * The prediction table's columns that runs add only when a task needs them ({@code label} of
   * classifiers with class names, {@code predictions} of multilabel and multi-target models, {@code
   * embedding}, and the stored {@code outputs}); never keys either.
   */
  public static final List<String> OPTIONAL_PREDICTION_COLUMNS =
      List.of("label", "predictions", "embedding", "outputs");

  private static final String V = "__version";
  private static final String S = "__score";

  private final SparkSession spark;

  public ReportBuilder(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * Compares the versions scored for {@code request.ds()}.
   *
   * @throws dev.inferlake.model.InferlakeException USAGE for a baseline or date that is not there,
   *     INPUT for a table that is not a prediction table or labels that lack its columns
   */
  public Report build(ReportRequest request) {
    String table = request.table();
    if (!Rows.isDeltaTable(spark, table)) {
      throw ReportErrors.notDeltaTable(table);
    }
    long tableVersion = CommitLog.latestVersion(spark, table);
    Dataset<Row> all = spark.read().format("delta").option("versionAsOf", tableVersion).load(table);
    List<String> keys = keys(all, table);
    LocalDate ds = request.ds() != null ? request.ds() : latestDs(spark, all, table, tableVersion);
    Dataset<Row> preds = all.where(col("ds").equalTo(lit(java.sql.Date.valueOf(ds))));

    // One pass over the date's predictions: the versions (one run each, a rerun replaces the
    // earlier one's rows), their rows, whether they carry probabilities or predictions, and the
    // score's range.
    Map<String, Long> counts = new TreeMap<>();
    Map<String, String[]> ids = new TreeMap<>();
    boolean classification = false;
    boolean anyPrediction = false;
    double min = Double.NaN;
    double max = Double.NaN;
    for (Row r :
        preds
            .groupBy("model_name", "model_version", "model_digest", "run_id")
            .agg(
                functions.count(lit(1)),
                functions.count(col("probabilities")),
                functions.count(col("prediction")),
                functions.min(score()),
                functions.max(score()))
            .collectAsList()) {
      String label = r.getString(0) + ":" + r.getString(1);
      ids.put(label, new String[] {r.getString(0), r.getString(1), r.getString(2), r.getString(3)});
      counts.merge(label, r.getLong(4), Long::sum);
      classification |= r.getLong(5) > 0;
      anyPrediction |= r.getLong(6) > 0;
      if (!r.isNullAt(7)) {
        min = Double.isNaN(min) ? r.getDouble(7) : Math.min(min, r.getDouble(7));
        max = Double.isNaN(max) ? r.getDouble(8) : Math.max(max, r.getDouble(8));
      }
    }
    if (ids.isEmpty()) {
      throw ReportErrors.noPredictionsFor(table, ds);
    }
    List<String> notes = new ArrayList<>();
    boolean runsTableExists = Rows.isDeltaTable(spark, request.runsTable());
    Map<String, RunRecord> runs = runs(request.runsTable(), runsTableExists, ids, notes);
    String baseline = baseline(request, runsTableExists, ids.keySet(), notes);
    List<String> order = new ArrayList<>();
    order.add(baseline);
    ids.keySet().stream().filter(l -> !l.equals(baseline)).forEach(order::add);

    boolean embeddings = Arrays.asList(all.columns()).contains("embedding");
    String kind =
        classification
            ? "classification"
            : embeddings && !anyPrediction ? "embedding" : "regression";
    // The date's predictions, reduced to what the passes below read. Not cached: each pass reads
    // only its columns of the table, which costs less than caching them all.
    List<Column> kept = new ArrayList<>();
    keys.forEach(k -> kept.add(col(k)));
    kept.add(label().as(V));
    kept.add(col("prediction"));
    kept.add(score().as(S));
    Dataset<Row> scored = preds.select(kept.toArray(Column[]::new));
    double[] range =
        classification || Double.isNaN(min) ? new double[] {0, 1} : new double[] {min, max};
    {
      return build(
          request,
          table,
          tableVersion,
          all,
          preds,
          scored,
          keys,
          ds,
          counts,
          ids,
          notes,
          runs,
          baseline,
          order,
          classification,
          kind,
          embeddings,
          range);
    }
  }

  private Report build(
      ReportRequest request,
      String table,
      long tableVersion,
      Dataset<Row> all,
      Dataset<Row> preds,
      Dataset<Row> scored,
      List<String> keys,
      LocalDate ds,
      Map<String, Long> counts,
      Map<String, String[]> ids,
      List<String> notes,
      Map<String, RunRecord> runs,
      String baseline,
      List<String> order,
      boolean classification,
      String kind,
      boolean embeddings,
      double[] range) {

    double[] edges = histogramEdges(range[0], range[1]);
    // One more pass: every version's scores counted in fine bins, from which come the histograms,
    // the baseline's deciles and every version's counts between them.
    ScoreSketch sketch = ScoreSketch.count(scored, V, S, edges[0], edges[edges.length - 1]);
    Map<String, long[]> histograms = sketch.histograms(edges.length - 1);

    // PSI against the baseline, over the baseline's deciles.
    Map<String, Double> psiBase = new HashMap<>();
    Map<String, double[]> psiEdges = new HashMap<>();
    double[] baseDeciles = sketch.deciles(baseline);
    Map<String, long[]> decileCounts = sketch.bucketCounts(baseDeciles);
    long[] baseCounts = decileCounts.get(baseline);
    for (String v : order) {
      psiEdges.put(v, baseDeciles);
      if (baseCounts != null) { // null: the baseline has no score (embeddings only)
        psiBase.put(
            v, Psi.of(baseCounts, decileCounts.getOrDefault(v, new long[baseCounts.length])));
      }
    }
    Map<String, Double> psiRef = reference(request.reference(), all, scored, order, notes);

    double[][] agreement =
        agreement(scored, keys, order, classification, request.agreementTolerance());

    Map<String, Evaluation> evaluations = new HashMap<>();
    if (request.labels() != null) {
      ReportRequest.Labels l = request.labels();
      Dataset<Row> labels = spark.read().format(l.format()).load(l.path());
      for (String k : keys) {
        if (!Arrays.asList(labels.columns()).contains(k)) {
          throw ReportErrors.labelsLackKey(l.path(), k, keys);
        }
      }
      if (!Arrays.asList(labels.columns()).contains(l.column())) {
        throw ReportErrors.labelsLackColumn(l.path(), l.column());
      }
      evaluations.putAll(Evaluator.evaluate(preds, labels, keys, l.column()));
    } else {
      runs.forEach(
          (v, r) -> {
            if (r.evaluation() != null) {
              evaluations.put(v, r.evaluation());
            }
          });
      if (evaluations.isEmpty()) {
        notes.add(
            "no accuracy: the runs named no label column (evaluate.label in the job) and no"
                + " labels were given (--labels)");
      }
    }

    Map<String, EmbeddingComparison> embedded = new HashMap<>();
    if (embeddings) {
      for (String v : order.subList(1, order.size())) {
        EmbeddingComparison c = Embeddings.compare(preds, keys, baseline, v);
        if (c != null) {
          embedded.put(v, c);
          if (c.widthNote() != null) {
            notes.add(c.widthNote());
          }
        }
      }
    }

    Map<String, Double> baseMetrics =
        ReportMetrics.of(
            runs.get(baseline),
            evaluations.get(baseline),
            baseCounts == null ? null : 0.0,
            psiRef.get(baseline),
            1.0);
    List<Report.VersionReport> versions = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      String v = order.get(i);
      String[] id = ids.get(v);
      Map<String, Double> m =
          ReportMetrics.withDeltas(
              ReportMetrics.of(
                  runs.get(v),
                  evaluations.get(v),
                  psiBase.get(v),
                  psiRef.get(v),
                  agreement[0][i],
                  embedded.get(v)),
              baseMetrics);
      versions.add(
          new Report.VersionReport(
              id[0],
              id[1],
              id[2],
              id[3],
              counts.get(v),
              runs.get(v),
              evaluations.get(v),
              histograms.getOrDefault(v, new long[edges.length - 1]),
              psiEdges.get(v),
              m,
              Thresholds.check(request.rules(), m),
              embedded.get(v)));
    }
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("generated_at", Instant.now().toString());
    provenance.put("generator", "inferlake report");
    provenance.put("inferlake_version", version());
    provenance.put("spark_version", spark.version());
    provenance.put("java_version", System.getProperty("java.version"));
    provenance.put("table", table);
    provenance.put("table_version", String.valueOf(tableVersion));
    provenance.put("runs_table", request.runsTable());
    provenance.put("user", System.getProperty("user.name"));
    return new Report(
        table,
        tableVersion,
        ds,
        kind,
        baseline,
        request.reference() == null ? null : referenceLabel(request.reference()),
        versions,
        edges,
        agreement,
        request.agreementTolerance(),
        request.rules(),
        provenance,
        notes);
  }

  private static String version() {
    String v = ReportBuilder.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static List<String> keys(Dataset<Row> all, String table) {
    List<String> keys = new ArrayList<>();
    List<String> columns = Arrays.asList(all.columns());
    for (String c : columns) {
      if (!PREDICTION_COLUMNS.contains(c) && !OPTIONAL_PREDICTION_COLUMNS.contains(c)) {
        keys.add(c);
      }
    }
    if (keys.isEmpty() || !columns.containsAll(List.of("prediction", "model_version", "run_id"))) {
      throw ReportErrors.notPredictionTable(table, columns);
    }
    return keys;
  }

  /**
   * The latest {@code ds} of the table at {@code version}, from the partition values its Delta log
   * records for each file: no scan of the predictions.
   */
  private static LocalDate latestDs(
      SparkSession spark, Dataset<Row> all, String table, long version) {
    org.apache.spark.sql.delta.Snapshot snapshot =
        dev.inferlake.reports.compat.DeltaCompat.snapshotAt(spark, table, version);
    if (!snapshot.metadata().partitionColumns().contains("ds")) {
      // a table not partitioned by date: read the column
      Row r = all.agg(functions.max(col("ds"))).head();
      if (r.isNullAt(0)) {
        throw ReportErrors.noPredictionsYet(table);
      }
      return Rows.date(r.get(0));
    }
    Row r =
        snapshot
            .allFiles()
            .agg(functions.max(functions.col("partitionValues").getItem("ds")))
            .head();
    if (r.isNullAt(0)) {
      throw ReportErrors.noPredictionsYet(table);
    }
    return LocalDate.parse(r.getString(0));
  }

  private Map<String, RunRecord> runs(
      String runsTable, boolean exists, Map<String, String[]> ids, List<String> notes) {
    if (!exists) {
      notes.add(
          "no runs table at " + runsTable + ": throughput, latency and size figures are missing");
      return Map.of();
    }
    // run ids come from the table's rows: values of a column expression, never SQL text
    Object[] runIds = ids.values().stream().map(id -> id[3]).distinct().toArray();
    Map<String, RunRecord> out = new HashMap<>();
    for (RunRecord r :
        RunsTable.latestByRunAndVersion(
                RunsTable.read(spark, runsTable, col("run_id").isin(runIds)))
            .values()) {
      String[] id = ids.get(r.label());
      if (id != null && id[3].equals(r.runId())) {
        out.put(r.label(), r);
      }
    }
    for (String v : ids.keySet()) {
      if (!out.containsKey(v)) {
        notes.add("the runs table has no row for " + v + "'s run " + ids.get(v)[3]);
      }
    }
    return out;
  }

  private String baseline(
      ReportRequest request,
      boolean runsTableExists,
      java.util.Set<String> versions,
      List<String> notes) {
    String b = request.baseline();
    if (b != null) {
      if (versions.contains(b)) {
        return b;
      }
      List<String> matches = versions.stream().filter(v -> v.endsWith(":" + b)).toList();
      if (matches.size() == 1) {
        return matches.get(0);
      }
      throw ReportErrors.unknownBaseline(b, !matches.isEmpty(), versions);
    }
    // The incumbent: the version whose first run is oldest.
    if (runsTableExists) {
      Map<String, Instant> first = new TreeMap<>();
      for (Row r :
          spark
              .read()
              .format("delta")
              .load(request.runsTable())
              .groupBy("model_name", "model_version")
              .agg(functions.min("started_at"))
              .collectAsList()) {
        first.put(r.getString(0) + ":" + r.getString(1), Rows.instant(r.get(2)));
      }
      String oldest =
          versions.stream()
              .filter(first::containsKey)
              .min(Comparator.comparing((String v) -> first.get(v)).thenComparing(v -> v))
              .orElse(null);
      if (oldest != null) {
        notes.add(
            "baseline " + oldest + ": the version with the oldest run (--baseline to choose)");
        return oldest;
      }
    }
    String sorted = new TreeSet<>(versions).first();
    notes.add("baseline " + sorted + ": the first version by name (--baseline to choose)");
    return sorted;
  }

  private static Column label() {
    return functions.concat_ws(":", col("model_name"), col("model_version"));
  }

  /**
   * The score a distribution is drawn of: P(class 1) for two classes, the top class's probability
   * for more, the value for regressors.
   */
  private static Column score() {
    Column p = col("probabilities");
    return when(p.isNull(), col("prediction"))
        .when(functions.size(p).equalTo(2), functions.element_at(p, 2).cast("double"))
        .otherwise(functions.array_max(p).cast("double"));
  }

  /**
   * Pairwise agreement on the keys both versions scored: same class, or (regressors) predictions
   * within {@code tolerance}. One shuffle: the predictions are gathered to one row per key.
   */
  private static double[][] agreement(
      Dataset<Row> scored,
      List<String> keys,
      List<String> order,
      boolean classification,
      double tolerance) {
    int n = order.size();
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      a[i][i] = 1;
    }
    if (n == 1) {
      return a;
    }
    // One row per key, a column per version: a plain hash aggregate (no pivot), one shuffle.
    List<Column> perVersion = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      perVersion.add(
          functions.max(when(col(V).equalTo(order.get(i)), col("prediction"))).as("v" + i));
    }
    List<Column> select = new ArrayList<>();
    keys.forEach(k -> select.add(col(k)));
    select.add(col(V));
    select.add(col("prediction"));
    Dataset<Row> wide =
        scored
            .select(select.toArray(Column[]::new))
            .where(col(V).isin(order.toArray()))
            .groupBy(keys.stream().map(functions::col).toArray(Column[]::new))
            .agg(perVersion.get(0), perVersion.subList(1, n).toArray(Column[]::new));
    List<Column> aggs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        Column x = col("v" + i);
        Column y = col("v" + j);
        Column agree =
            classification ? x.equalTo(y) : functions.abs(x.minus(y)).leq(lit(tolerance));
        aggs.add(avg(when(x.isNotNull().and(y.isNotNull()), when(agree, 1.0).otherwise(0.0))));
      }
    }
    Row r = wide.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).head();
    int c = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++, c++) {
        a[i][j] = a[j][i] = r.isNullAt(c) ? Double.NaN : r.getDouble(c);
      }
    }
    return a;
  }

  /** {@link ReportRequest#HISTOGRAM_BINS} equal bins over the scores' range. */
  private static double[] histogramEdges(double lo, double hi) {
    if (hi <= lo) {
      hi = lo + 1;
    }
    int n = ReportRequest.HISTOGRAM_BINS;
    double[] edges = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      edges[i] = lo + (hi - lo) * i / n;
    }
    return edges;
  }

  /** Approximate deciles (relative error 1e-3) of the score, duplicates removed. */
  private static double[] deciles(Dataset<Row> rows) {
    double[] probs = new double[9];
    for (int i = 0; i < 9; i++) {
      probs[i] = (i + 1) / 10.0;
    }
    double[] q = rows.where(col(S).isNotNull()).stat().approxQuantile(S, probs, 1e-3);
    return Arrays.stream(q).distinct().sorted().toArray();
  }

  /** Bin {@code i} holds scores in (edges[i-1], edges[i]]; the last, scores above every edge. */
  private static Column bucket(double[] edges) {
    if (edges.length == 0) {
      return lit(0);
    }
    Column c = when(col(S).leq(edges[0]), 0);
    for (int i = 1; i < edges.length; i++) {
      c = c.when(col(S).leq(edges[i]), i);
    }
    return c.otherwise(edges.length);
  }

  private static Map<String, long[]> bucketCounts(Dataset<Row> scored, double[] edges) {
    Map<String, long[]> out = new HashMap<>();
    for (Row r :
        scored
            .where(col(S).isNotNull())
            .groupBy(col(V), bucket(edges).as("b"))
            .count()
            .collectAsList()) {
      out.computeIfAbsent(r.getString(0), x -> new long[edges.length + 1])[r.getInt(1)] +=
          r.getLong(2);
    }
    return out;
  }

  private static String referenceLabel(String reference) {
    return isDate(reference) ? "ds=" + reference : "run=" + reference;
  }

  private static boolean isDate(String s) {
    try {
      LocalDate.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** PSI of each version against the same version in the reference date or run. */
  private static Map<String, Double> reference(
      String reference,
      Dataset<Row> all,
      Dataset<Row> scored,
      List<String> order,
      List<String> notes) {
    Map<String, Double> out = new HashMap<>();
    if (reference == null) {
      return out;
    }
    Column which =
        isDate(reference)
            ? col("ds").equalTo(lit(java.sql.Date.valueOf(LocalDate.parse(reference))))
            : col("run_id").equalTo(reference);
    Dataset<Row> ref = all.where(which).withColumn(V, label()).withColumn(S, score());
    for (String v : order) {
      Dataset<Row> refV = ref.where(col(V).equalTo(v));
      double[] edges = deciles(refV);
      if (edges.length == 0) {
        notes.add("the reference " + referenceLabel(reference) + " has no predictions of " + v);
        continue;
      }
      long[] expected = bucketCounts(refV, edges).get(v);
      long[] actual =
          bucketCounts(scored.where(col(V).equalTo(v)), edges)
              .getOrDefault(v, new long[expected.length]);
      out.put(v, Psi.of(expected, actual));
    }
    return out;
  }
}
