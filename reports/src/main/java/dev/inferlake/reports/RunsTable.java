package dev.inferlake.reports;

import dev.inferlake.reports.internal.Rows;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs table: a Delta table with one row per (run, model version), appended when a run ends
 * ({@link RunRecord}). Appends never conflict with each other, so concurrent runs all land. Every
 * column carries a comment that shows in {@code DESCRIBE}.
 */
public final class RunsTable {
  private static final Logger LOG = LoggerFactory.getLogger(RunsTable.class);

  /** The runs table of prediction table {@code table} unless the job names another. */
  public static String defaultPath(String table) {
    return table.endsWith("/") ? table.substring(0, table.length() - 1) + "_runs" : table + "_runs";
  }

  private static final DataType CALIBRATION =
      DataTypes.createArrayType(
          new StructType(
              new StructField[] {
                field("lower", DataTypes.DoubleType, "bin's lower score bound"),
                field("upper", DataTypes.DoubleType, "bin's upper score bound"),
                field("rows", DataTypes.LongType, "rows in the bin"),
                field("mean_score", DataTypes.DoubleType, "their mean score"),
                field("observed", DataTypes.DoubleType, "share positive (or correct)")
              }),
          false);

  /** The table's columns. */
  public static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            field("run_id", DataTypes.StringType, "id of the run"),
            field("ds", DataTypes.DateType, "run date"),
            field("table", DataTypes.StringType, "prediction table"),
            field("table_version", DataTypes.LongType, "Delta version of the run's last commit"),
            field("status", DataTypes.StringType, "succeeded or failed"),
            field("error", DataTypes.StringType, "why a failed run failed"),
            field("started_at", DataTypes.TimestampType, "when the run started"),
            field("finished_at", DataTypes.TimestampType, "when it ended"),
            field("model_name", DataTypes.StringType, "model name"),
            field("model_version", DataTypes.StringType, "model version"),
            field("model_digest", DataTypes.StringType, "sha256 of the model bytes"),
            field("rows_in", DataTypes.LongType, "input rows"),
            field("predicted", DataTypes.LongType, "predictions written for this version"),
            field("quarantined", DataTypes.LongType, "rows quarantined for this version"),
            field("skipped", DataTypes.LongType, "rows skipped for this version"),
            field("wall_ms", DataTypes.LongType, "run wall time (all versions, one pass)"),
            field("task_ms", DataTypes.LongType, "executor time of the run's tasks (all versions)"),
            field("rows_per_s", DataTypes.DoubleType, "input rows per second of wall time"),
            field("batches", DataTypes.LongType, "engine calls for this version"),
            field("batch_rows", DataTypes.LongType, "rows sent to the engine"),
            field("engine_ms", DataTypes.DoubleType, "time in the engine, all batches"),
            field("engine_rows_per_s", DataTypes.DoubleType, "rows per second of engine time"),
            field("batch_p50_ms", DataTypes.DoubleType, "median batch latency on executors"),
            field("batch_p95_ms", DataTypes.DoubleType, "95th percentile batch latency"),
            field("batch_p99_ms", DataTypes.DoubleType, "99th percentile batch latency"),
            field("batch_max_ms", DataTypes.DoubleType, "slowest batch"),
            field("model_raw_bytes", DataTypes.LongType, "ONNX model size"),
            field("model_shipped_bytes", DataTypes.LongType, "package size as shipped"),
            field("model_loads", DataTypes.LongType, "model loads on executors"),
            field("device", DataTypes.StringType, "where batches ran: cpu, cuda:N"),
            field("spark_app_id", DataTypes.StringType, "Spark application id"),
            field("user", DataTypes.StringType, "who ran it"),
            field("input", DataTypes.StringType, "input path"),
            field("inferlake_version", DataTypes.StringType, "framework version"),
            field("label_column", DataTypes.StringType, "column the labels came from"),
            field("labelled_rows", DataTypes.LongType, "predictions with a usable label"),
            field("unusable_labels", DataTypes.LongType, "labels that are not a model class"),
            field("classes", DataTypes.IntegerType, "classifier: number of classes"),
            field("accuracy", DataTypes.DoubleType, "classifier: share correct"),
            field("precision_macro", DataTypes.DoubleType, "classifier: macro precision"),
            field("recall_macro", DataTypes.DoubleType, "classifier: macro recall"),
            field("f1_macro", DataTypes.DoubleType, "classifier: macro F1"),
            field("roc_auc", DataTypes.DoubleType, "classifier: ROC AUC (one-vs-rest mean)"),
            field("log_loss", DataTypes.DoubleType, "classifier: mean log loss"),
            field(
                "confusion",
                DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.LongType, false)),
                "classifier: counts [label][predicted]"),
            field("calibration", CALIBRATION, "classifier: calibration bins"),
            field("rmse", DataTypes.DoubleType, "regressor: root mean squared error"),
            field("mae", DataTypes.DoubleType, "regressor: mean absolute error"),
            field("r2", DataTypes.DoubleType, "regressor: coefficient of determination"),
            field("text_truncated_rows", DataTypes.LongType, "texts cut to the max length"),
            field("text_positions", DataTypes.LongType, "token positions of the padded tensors"),
            field("text_padded_positions", DataTypes.LongType, "of which padding"),
            field("text_padding_share", DataTypes.DoubleType, "padded positions / all positions"),
            field("input_where", DataTypes.StringType, "input.where, run date filled in"),
          });

  private RunsTable() {}

  private static StructField field(String name, DataType type, String comment) {
    return new StructField(name, type, true, Metadata.empty()).withComment(comment);
  }

  /** Appends {@code records}; retries a lost race to create the table. */
  public static void append(SparkSession spark, String path, List<RunRecord> records) {
    List<Row> rows = records.stream().map(RunsTable::toRow).toList();
    Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
    for (int attempt = 1; ; attempt++) {
      try {
        // a table written before a column was added gains it (older rows read null)
        df.write().format("delta").mode("append").option("mergeSchema", "true").save(path);
        return;
      } catch (Exception e) { // Scala throws checked exceptions undeclared
        if (attempt >= 3 || !Rows.isConcurrentModification(e)) {
          throw e;
        }
        LOG.info("runs table {}: concurrent commit, appending again ({})", path, e.toString());
      }
    }
  }

  /** Every row of the table, or an empty list when there is no table yet. */
  public static List<RunRecord> read(
      SparkSession spark, String path, org.apache.spark.sql.Column where) {
    if (!Rows.isDeltaTable(spark, path)) {
      return List.of();
    }
    Dataset<Row> df = spark.read().format("delta").load(path);
    if (where != null) {
      df = df.where(where);
    }
    List<RunRecord> out = new ArrayList<>();
    // a table written before a column was added reads null in it
    java.util.Set<String> present = java.util.Set.of(df.columns());
    org.apache.spark.sql.Column[] cols =
        java.util.Arrays.stream(SCHEMA.fields())
            .map(
                f ->
                    present.contains(f.name())
                        ? org.apache.spark.sql.functions.col(f.name())
                        : org.apache.spark.sql.functions.lit(null).cast(f.dataType()).as(f.name()))
            .toArray(org.apache.spark.sql.Column[]::new);
    for (Row r : df.select(cols).collectAsList()) {
      out.add(fromRow(r));
    }
    return out;
  }

  /** Of several rows of one (run, version), the last one written. */
  public static Map<String, RunRecord> latestByRunAndVersion(List<RunRecord> records) {
    return records.stream()
        .collect(
            Collectors.toMap(
                r -> r.runId() + "|" + r.label(),
                Function.identity(),
                (a, b) -> Comparator.comparing(RunRecord::finishedAt).compare(a, b) >= 0 ? a : b));
  }

  static Row toRow(RunRecord r) {
    RunRecord.Batches b = r.batches();
    RunRecord.ModelCost m = r.model();
    // The table has columns for classifiers and one-target regressors only: a multilabel or
    // multi-target evaluation is not kept here (a report computes it from --labels).
    Evaluation e =
        r.evaluation() == null
                || (r.evaluation().classification() == null && r.evaluation().regression() == null)
            ? null
            : r.evaluation();
    Evaluation.Classification c = e == null ? null : e.classification();
    Evaluation.Regression g = e == null ? null : e.regression();
    return RowFactory.create(
        r.runId(),
        java.sql.Date.valueOf(r.ds()),
        r.table(),
        r.tableVersion(),
        r.status(),
        r.error(),
        Rows.timestamp(r.startedAt()),
        Rows.timestamp(r.finishedAt()),
        r.modelName(),
        r.modelVersion(),
        r.modelDigest(),
        r.rowsIn(),
        r.predicted(),
        r.quarantined(),
        r.skipped(),
        r.wallMillis(),
        r.taskMillis(),
        r.rowsPerSecond(),
        b == null ? null : b.count(),
        b == null ? null : b.rows(),
        b == null ? null : b.engineMillis(),
        b == null ? null : b.engineRowsPerSecond(),
        b == null ? null : b.p50Millis(),
        b == null ? null : b.p95Millis(),
        b == null ? null : b.p99Millis(),
        b == null ? null : b.maxMillis(),
        m == null ? null : m.rawBytes(),
        m == null ? null : m.shippedBytes(),
        m == null ? null : m.loads(),
        m == null ? null : m.device(),
        r.sparkAppId(),
        r.user(),
        r.input(),
        r.inferlakeVersion(),
        e == null ? null : e.labelColumn(),
        e == null ? null : e.labelledRows(),
        e == null ? null : e.unusableLabels(),
        c == null ? null : c.classes(),
        c == null ? null : Rows.finite(c.accuracy()),
        c == null ? null : Rows.finite(c.precisionMacro()),
        c == null ? null : Rows.finite(c.recallMacro()),
        c == null ? null : Rows.finite(c.f1Macro()),
        c == null ? null : c.rocAuc(),
        c == null ? null : Rows.finite(c.logLoss()),
        c == null ? null : Rows.matrix(c.confusion()),
        c == null
            ? null
            : c.calibration().stream()
                .map(
                    x ->
                        RowFactory.create(
                            x.lower(),
                            x.upper(),
                            x.rows(),
                            Rows.finite(x.meanScore()),
                            Rows.finite(x.observed())))
                .toList(),
        g == null ? null : Rows.finite(g.rmse()),
        g == null ? null : Rows.finite(g.mae()),
        g == null ? null : g.r2(),
        r.text() == null ? null : r.text().truncatedRows(),
        r.text() == null ? null : r.text().positions(),
        r.text() == null ? null : r.text().padding(),
        r.text() == null ? null : r.text().paddingShare(),
        r.inputWhere());
  }

  private static RunRecord.Text text(Row r) {
    Long positions = Rows.longOrNull(r, "text_positions");
    return positions == null
        ? null
        : new RunRecord.Text(
            Rows.longOrNull(r, "text_truncated_rows"),
            positions,
            Rows.longOrNull(r, "text_padded_positions"));
  }

  static RunRecord fromRow(Row r) {
    Long batches = Rows.longOrNull(r, "batches");
    RunRecord.Batches b =
        batches == null
            ? null
            : new RunRecord.Batches(
                batches,
                Rows.longOrNull(r, "batch_rows"),
                Rows.doubleOr(r, "engine_ms"),
                Rows.doubleOr(r, "batch_p50_ms"),
                Rows.doubleOr(r, "batch_p95_ms"),
                Rows.doubleOr(r, "batch_p99_ms"),
                Rows.doubleOr(r, "batch_max_ms"));
    Long raw = Rows.longOrNull(r, "model_raw_bytes");
    RunRecord.ModelCost m =
        raw == null
            ? null
            : new RunRecord.ModelCost(
                raw,
                Rows.longOrNull(r, "model_shipped_bytes"),
                Rows.longOrNull(r, "model_loads"),
                r.getAs("device"));
    String labelColumn = r.getAs("label_column");
    Evaluation e = null;
    if (labelColumn != null) {
      Evaluation.Classification c = null;
      Evaluation.Regression g = null;
      if (!r.isNullAt(r.fieldIndex("classes"))) {
        List<Evaluation.CalibrationBin> bins = new ArrayList<>();
        for (Row x : r.<Row>getList(r.fieldIndex("calibration"))) {
          bins.add(
              new Evaluation.CalibrationBin(
                  x.getDouble(0),
                  x.getDouble(1),
                  x.getLong(2),
                  x.isNullAt(3) ? Double.NaN : x.getDouble(3),
                  x.isNullAt(4) ? Double.NaN : x.getDouble(4)));
        }
        c =
            new Evaluation.Classification(
                r.<Integer>getAs("classes"),
                Rows.doubleOr(r, "accuracy"),
                Rows.doubleOr(r, "precision_macro"),
                Rows.doubleOr(r, "recall_macro"),
                Rows.doubleOr(r, "f1_macro"),
                r.getAs("roc_auc"),
                Rows.doubleOr(r, "log_loss"),
                Rows.matrix(r.getList(r.fieldIndex("confusion"))),
                bins);
      } else {
        g =
            new Evaluation.Regression(
                Rows.doubleOr(r, "rmse"), Rows.doubleOr(r, "mae"), r.getAs("r2"));
      }
      e =
          new Evaluation(
              labelColumn,
              Rows.longOrNull(r, "labelled_rows"),
              Rows.longOrNull(r, "unusable_labels"),
              c,
              g);
    }
    return new RunRecord(
        r.getAs("run_id"),
        Rows.date(r.getAs("ds")),
        r.getAs("table"),
        Rows.longOrNull(r, "table_version"),
        r.getAs("status"),
        r.getAs("error"),
        Rows.instant(r.getAs("started_at")),
        Rows.instant(r.getAs("finished_at")),
        r.getAs("model_name"),
        r.getAs("model_version"),
        r.getAs("model_digest"),
        Rows.longOrNull(r, "rows_in"),
        Rows.longOrNull(r, "predicted"),
        Rows.longOrNull(r, "quarantined"),
        Rows.longOrNull(r, "skipped"),
        Rows.longOrNull(r, "wall_ms"),
        Rows.longOrNull(r, "task_ms"),
        b,
        m,
        r.getAs("spark_app_id"),
        r.getAs("user"),
        r.getAs("input"),
        r.getAs("inferlake_version"),
        e,
        text(r),
        r.getAs("input_where"));
  }
}
