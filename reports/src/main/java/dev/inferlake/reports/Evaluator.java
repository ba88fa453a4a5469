package dev.inferlake.reports;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.storage.StorageLevel;

/**
 * Accuracy of predictions against labels, computed on the cluster: predictions are joined with the
 * labels on the key columns and reduced by Spark aggregations to counts (confusion matrix, score
 * bins, sums of errors); only those small counts reach the driver, never the predictions.
 *
 * <p>Classifiers (a prediction table row with {@code probabilities}) get accuracy, macro
 * precision/recall/F1, ROC AUC over {@value #BINARY_BINS} score bins (two classes) or {@value
 * #MULTI_BINS} per class (one-vs-rest, more classes), log loss, the confusion matrix and ten
 * calibration bins. Regressors get RMSE, MAE and R².
 *
 * <p>When the label column is an array, the rows' {@code predictions} array is evaluated against it
 * element by element: multilabel models (rows with {@code probabilities}) get micro and macro F1,
 * Hamming loss and subset accuracy, a prediction counting positive when it is at least 0.5 and a
 * label when it is 1; regressors with several targets (no {@code probabilities}) get RMSE, MAE and
 * R² per target and their means. A row whose label array has another length than its predictions, a
 * null element or (multilabel) a value other than 0 and 1 is counted as unusable.
 */
public final class Evaluator {
  /** Score bins for the ROC curve of a binary classifier. */
  public static final int BINARY_BINS = 10_000;

  /** Score bins per class for the one-vs-rest ROC curves of a multiclass classifier. */
  public static final int MULTI_BINS = 1_000;

  private static final int CALIBRATION_BINS = 10;
  private static final String V = "__version";
  private static final String Y = "__label";
  private static final String K = "__classes";

  private Evaluator() {}

  /**
   * Evaluates every model version in {@code predictions}.
   *
   * @param predictions prediction table rows: the key columns, {@code model_name}, {@code
   *     model_version}, {@code prediction} and {@code probabilities}
   * @param labels rows with the key columns and {@code labelColumn}; a key with a null label is
   *     left out
   * @return per {@code name:version}, its evaluation; versions without a labelled row are absent
   */
  public static Map<String, Evaluation> evaluate(
      Dataset<Row> predictions, Dataset<Row> labels, List<String> keys, String labelColumn) {
    if (labels.schema().apply(labelColumn).dataType() instanceof ArrayType) {
      return arrays(predictions, labels, keys, labelColumn);
    }
    List<Column> left = new ArrayList<>();
    List<Column> right = new ArrayList<>();
    for (String k : keys) {
      left.add(col(k));
      right.add(col(k));
    }
    left.add(functions.concat_ws(":", col("model_name"), col("model_version")).as(V));
    left.add(col("prediction"));
    left.add(col("probabilities"));
    // -1: regressors have no classes (size(null) is -1 on Spark 3.5, null under Spark 4's ANSI
    // mode).
    left.add(functions.coalesce(functions.size(col("probabilities")), lit(-1)).as(K));
    right.add(col(labelColumn).cast("double").as(Y));
    Dataset<Row> joined =
        predictions
            .select(left.toArray(Column[]::new))
            .join(
                labels.where(col(labelColumn).isNotNull()).select(right.toArray(Column[]::new)),
                scala.collection.JavaConverters.asScalaBuffer(keys).toSeq())
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Evaluation> out = new TreeMap<>();
      classification(joined, labelColumn, out);
      regression(joined, labelColumn, out);
      return out;
    } finally {
      joined.unpersist();
    }
  }

  private static void classification(
      Dataset<Row> joined, String labelColumn, Map<String, Evaluation> out) {
    Dataset<Row> cls = joined.where(col(K).geq(2));
    Column label = col(Y).cast("int");
    Column usable = col(Y).equalTo(label.cast("double")).and(label.geq(0)).and(label.lt(col(K)));
    // Confusion counts and log loss, one row per (version, label, predicted); label -1 gathers the
    // rows whose label is not a class of the model.
    Column labelOrUnusable = when(usable, label).otherwise(lit(-1)).as("l");
    Column pLabel =
        element_at(col("probabilities"), when(usable, label.plus(1)).otherwise(lit(1)))
            .cast("double");
    List<Row> confusion =
        cls.groupBy(col(V), col(K), labelOrUnusable, col("prediction").cast("int").as("p"))
            .agg(
                count(lit(1)).as("n"),
                sum(when(usable, functions.negate(log(greatest(pLabel, lit(1e-15)))))).as("loss"))
            .collectAsList();
    if (confusion.isEmpty()) {
      return;
    }
    Map<String, Integer> classes = new TreeMap<>();
    for (Row r : confusion) {
      classes.merge(r.getString(0), r.getInt(1), Math::max);
    }
    Map<String, long[][]> matrices = new HashMap<>();
    Map<String, Double> loss = new HashMap<>();
    Map<String, Long> unusable = new HashMap<>();
    for (Row r : confusion) {
      String v = r.getString(0);
      int k = classes.get(v);
      long[][] m = matrices.computeIfAbsent(v, x -> new long[k][k]);
      int l = r.getInt(2);
      long n = r.getLong(4);
      if (l < 0) {
        unusable.merge(v, n, Long::sum);
        continue;
      }
      int pred = r.getInt(3);
      m[l][Math.max(0, Math.min(k - 1, pred))] += n;
      loss.merge(v, r.isNullAt(5) ? 0 : r.getDouble(5), Double::sum);
    }
    // ROC bins: for two classes the positive class's probability, else every class one-vs-rest.
    Column bins = when(col(K).equalTo(2), lit(BINARY_BINS)).otherwise(lit(MULTI_BINS));
    Dataset<Row> perClass =
        cls.where(usable)
            .select(
                col(V),
                col(K),
                label.as("l"),
                functions.posexplode(col("probabilities")).as(new String[] {"c", "s"}))
            .where(col(K).gt(2).or(col("c").equalTo(1)));
    List<Row> rocRows =
        perClass
            .groupBy(
                col(V),
                col("c"),
                least(floor(col("s").cast("double").multiply(bins)), bins.minus(1))
                    .cast("int")
                    .as("b"),
                col("l").equalTo(col("c")).as("pos"))
            .agg(count(lit(1)).as("n"), sum(col("s").cast("double")).as("sum"))
            .collectAsList();
    Map<String, Map<Integer, long[][]>> roc = new HashMap<>();
    Map<String, double[][]> calib = new HashMap<>(); // per version: [bin][rows, score sum, hits]
    for (Row r : rocRows) {
      String v = r.getString(0);
      int k = classes.get(v);
      int nb = k == 2 ? BINARY_BINS : MULTI_BINS;
      long[][] pn =
          roc.computeIfAbsent(v, x -> new TreeMap<>())
              .computeIfAbsent(r.getInt(1), x -> new long[2][nb]);
      int b = Math.max(0, r.getInt(2));
      boolean pos = r.getBoolean(3);
      long n = r.getLong(4);
      pn[pos ? 0 : 1][b] += n;
      if (k == 2) {
        double[] cb =
            calib
                .computeIfAbsent(v, x -> new double[CALIBRATION_BINS][3])[
                b * CALIBRATION_BINS / nb];
        cb[0] += n;
        cb[1] += r.getDouble(5);
        cb[2] += pos ? n : 0;
      }
    }
    // Calibration of multiclass models: the top class's probability against being right.
    Column top = functions.array_max(col("probabilities")).cast("double");
    for (Row r :
        cls.where(usable.and(col(K).gt(2)))
            .groupBy(
                col(V),
                least(floor(top.multiply(CALIBRATION_BINS)), lit(CALIBRATION_BINS - 1))
                    .cast("int")
                    .as("b"))
            .agg(
                count(lit(1)).as("n"),
                sum(top).as("sum"),
                sum(when(col("prediction").equalTo(col(Y)), 1).otherwise(0)).as("hits"))
            .collectAsList()) {
      double[] cb =
          calib
              .computeIfAbsent(r.getString(0), x -> new double[CALIBRATION_BINS][3])[
              Math.max(0, r.getInt(1))];
      cb[0] += r.getLong(2);
      cb[1] += r.getDouble(3);
      cb[2] += r.getLong(4);
    }
    for (Map.Entry<String, long[][]> e : matrices.entrySet()) {
      String v = e.getKey();
      long[][] m = e.getValue();
      long labelled = 0;
      for (long[] row : m) {
        for (long x : row) {
          labelled += x;
        }
      }
      List<Evaluation.ScoreBins> aucBins = new ArrayList<>();
      roc.getOrDefault(v, Map.of())
          .values()
          .forEach(pn -> aucBins.add(new Evaluation.ScoreBins(pn[0], pn[1])));
      List<Evaluation.CalibrationBin> calibration = new ArrayList<>();
      double[][] cb = calib.getOrDefault(v, new double[CALIBRATION_BINS][3]);
      for (int i = 0; i < CALIBRATION_BINS; i++) {
        double n = cb[i][0];
        calibration.add(
            new Evaluation.CalibrationBin(
                (double) i / CALIBRATION_BINS,
                (double) (i + 1) / CALIBRATION_BINS,
                (long) n,
                n == 0 ? Double.NaN : cb[i][1] / n,
                n == 0 ? Double.NaN : cb[i][2] / n));
      }
      out.put(
          v,
          new Evaluation(
              labelColumn,
              labelled,
              unusable.getOrDefault(v, 0L),
              Evaluation.Classification.of(m, loss.getOrDefault(v, 0.0), aucBins, calibration),
              null));
    }
  }

  /** The evaluation of {@code predictions} arrays against array labels. */
  private static Map<String, Evaluation> arrays(
      Dataset<Row> predictions, Dataset<Row> labels, List<String> keys, String labelColumn) {
    Map<String, Evaluation> out = new TreeMap<>();
    if (!java.util.Arrays.asList(predictions.columns()).contains("predictions")) {
      return out; // a table of one-value predictions: nothing to hold an array label against
    }
    List<Column> left = new ArrayList<>();
    List<Column> right = new ArrayList<>();
    for (String k : keys) {
      left.add(col(k));
      right.add(col(k));
    }
    left.add(functions.concat_ws(":", col("model_name"), col("model_version")).as(V));
    left.add(col("predictions").cast("array<double>").as("__p"));
    left.add(col("probabilities").isNotNull().as("__ml"));
    right.add(col(labelColumn).cast("array<double>").as(Y));
    Dataset<Row> joined =
        predictions
            .select(left.toArray(Column[]::new))
            .where(col("__p").isNotNull())
            .join(
                labels.where(col(labelColumn).isNotNull()).select(right.toArray(Column[]::new)),
                scala.collection.JavaConverters.asScalaBuffer(keys).toSeq())
            .withColumn(
                "__ok",
                functions
                    .size(col("__p"))
                    .equalTo(functions.size(col(Y)))
                    .and(functions.expr("forall(__label, y -> y IS NOT NULL)"))
                    .and(
                        functions
                            .not(col("__ml"))
                            .or(functions.expr("forall(__label, y -> y = 0 OR y = 1)"))))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, long[]> rows = new HashMap<>(); // per version: usable, unusable, exact
      // cell code: 2 * label + predicted, so 0 TN, 1 FP, 2 FN, 3 TP
      Column codes =
          functions.expr(
              "zip_with(__p, __label, (p, y) -> CAST(2 * y + IF(p >= 0.5, 1, 0) AS INT))");
      for (Row r :
          joined
              .groupBy(col(V))
              .agg(
                  sum(when(col("__ok"), 1).otherwise(0)).as("ok"),
                  sum(when(col("__ok"), 0).otherwise(1)).as("bad"),
                  sum(when(
                              col("__ok")
                                  .and(
                                      functions.expr(
                                          "forall(zip_with(__p, __label, (p, y) ->"
                                              + " IF(p >= 0.5, 1, 0) = y), x -> x)")),
                              1)
                          .otherwise(0))
                      .as("exact"))
              .collectAsList()) {
        rows.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2), r.getLong(3)});
      }
      Dataset<Row> usable = joined.where(col("__ok"));
      Map<String, TreeMap<Integer, long[]>> cells = new HashMap<>();
      for (Row r :
          usable
              .where(col("__ml"))
              .select(col(V), functions.posexplode(codes).as(new String[] {"t", "c"}))
              .groupBy(col(V), col("t"), col("c"))
              .count()
              .collectAsList()) {
        cells.computeIfAbsent(r.getString(0), x -> new TreeMap<>())
                .computeIfAbsent(r.getInt(1), x -> new long[4])[r.getInt(2)] +=
            r.getLong(3);
      }
      cells.forEach(
          (v, byLabel) -> {
            int k = byLabel.lastKey() + 1;
            long[] tp = new long[k];
            long[] fp = new long[k];
            long[] fn = new long[k];
            byLabel.forEach(
                (l, c) -> {
                  tp[l] = c[3];
                  fp[l] = c[1];
                  fn[l] = c[2];
                });
            long[] n = rows.get(v);
            out.put(
                v,
                new Evaluation(
                    labelColumn,
                    n[0],
                    n[1],
                    null,
                    null,
                    Evaluation.Multilabel.of(tp, fp, fn, n[0], n[2]),
                    null));
          });
      Map<String, TreeMap<Integer, double[]>> targets = new HashMap<>();
      for (Row r :
          usable
              .where(functions.not(col("__ml")))
              .select(
                  col(V),
                  functions
                      .posexplode(
                          functions.expr(
                              "zip_with(__p, __label, (p, y) -> named_struct('e', p - y, 'y', y))"))
                      .as(new String[] {"t", "c"}))
              .groupBy(col(V), col("t"))
              .agg(
                  count(lit(1)).as("n"),
                  sum(pow(col("c.e"), 2)).as("se"),
                  sum(abs(col("c.e"))).as("ae"),
                  var_pop(col("c.y")).as("var"))
              .collectAsList()) {
        targets
            .computeIfAbsent(r.getString(0), x -> new TreeMap<>())
            .put(r.getInt(1), new double[] {r.getDouble(3), r.getDouble(4), r.getDouble(5)});
      }
      targets.forEach(
          (v, byTarget) -> {
            int t = byTarget.lastKey() + 1;
            double[] se = new double[t];
            double[] ae = new double[t];
            double[] var = new double[t];
            byTarget.forEach(
                (i, x) -> {
                  se[i] = x[0];
                  ae[i] = x[1];
                  var[i] = x[2];
                });
            long[] n = rows.get(v);
            out.put(
                v,
                new Evaluation(
                    labelColumn,
                    n[0],
                    n[1],
                    null,
                    null,
                    null,
                    Evaluation.MultiTarget.of(n[0], se, ae, var)));
          });
      return out;
    } finally {
      joined.unpersist();
    }
  }

  private static void regression(
      Dataset<Row> joined, String labelColumn, Map<String, Evaluation> out) {
    Column err = col("prediction").minus(col(Y));
    for (Row r :
        joined
            .where(col(K).lt(0))
            .groupBy(col(V))
            .agg(
                count(lit(1)).as("n"),
                sum(pow(err, 2)).as("se"),
                sum(abs(err)).as("ae"),
                var_pop(col(Y)).as("var"))
            .collectAsList()) {
      long n = r.getLong(1);
      out.put(
          r.getString(0),
          new Evaluation(
              labelColumn,
              n,
              0,
              null,
              Evaluation.Regression.of(n, r.getDouble(2), r.getDouble(3), r.getDouble(4))));
    }
  }
}
