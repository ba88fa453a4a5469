package dev.inferlake.reports;

import java.util.List;
import java.util.Objects;

/**
 * How well one model version's predictions match labels: classification, regression, multilabel or
 * multi-target regression metrics, whichever the model's output is. Built from counts aggregated on
 * the cluster ({@link Evaluator}), so the figures here are plain arithmetic, testable without
 * Spark.
 *
 * @param labelColumn the column the labels came from
 * @param labelledRows predictions that had a usable label
 * @param unusableLabels predictions whose label was not a class of the model (not an integer, or
 *     outside 0..classes-1); left out of the metrics
 * @param classification metrics of a classifier, or null
 * @param regression metrics of a regressor, or null
 * @param multilabel metrics of a multilabel model ({@code predictions} 0/1 per label against an
 *     array label), or null
 * @param multiTarget metrics of a regressor with several targets ({@code predictions} against an
 *     array label), or null
 */
public record Evaluation(
    String labelColumn,
    long labelledRows,
    long unusableLabels,
    Classification classification,
    Regression regression,
    Multilabel multilabel,
    MultiTarget multiTarget) {

  public Evaluation {
    Objects.requireNonNull(labelColumn, "labelColumn");
    int kinds =
        (classification == null ? 0 : 1)
            + (regression == null ? 0 : 1)
            + (multilabel == null ? 0 : 1)
            + (multiTarget == null ? 0 : 1);
    if (kinds != 1) {
      throw new IllegalArgumentException(
          "exactly one of classification, regression, multilabel and multiTarget");
    }
  }

  /** A classifier's or a one-target regressor's evaluation. */
  public Evaluation(
      String labelColumn,
      long labelledRows,
      long unusableLabels,
      Classification classification,
      Regression regression) {
    this(labelColumn, labelledRows, unusableLabels, classification, regression, null, null);
  }

  /**
   * Multilabel metrics, from counts per label over the labelled rows.
   *
   * @param labels labels per row
   * @param f1Micro F1 of the pooled counts: {@code 2 TP / (2 TP + FP + FN)} over every label
   * @param f1Macro the per-label F1 averaged over the labels that occur (as a label or as a
   *     prediction); a label that occurs but is never right counts 0
   * @param hammingLoss the share of (row, label) cells predicted wrong
   * @param subsetAccuracy the share of rows whose every label is right
   * @param truePositives per label
   * @param falsePositives per label
   * @param falseNegatives per label
   */
  public record Multilabel(
      int labels,
      double f1Micro,
      double f1Macro,
      double hammingLoss,
      double subsetAccuracy,
      long[] truePositives,
      long[] falsePositives,
      long[] falseNegatives) {

    /**
     * Metrics from per-label counts over {@code rows} labelled rows, {@code exactRows} of which had
     * every label right.
     */
    public static Multilabel of(long[] tp, long[] fp, long[] fn, long rows, long exactRows) {
      int k = tp.length;
      if (fp.length != k || fn.length != k) {
        throw new IllegalArgumentException("tp, fp and fn differ in labels");
      }
      long stp = 0;
      long sfp = 0;
      long sfn = 0;
      double f1 = 0;
      int present = 0;
      for (int l = 0; l < k; l++) {
        stp += tp[l];
        sfp += fp[l];
        sfn += fn[l];
        if (tp[l] + fp[l] + fn[l] == 0) {
          continue;
        }
        present++;
        f1 += 2.0 * tp[l] / (2.0 * tp[l] + fp[l] + fn[l]);
      }
      double cells = (double) rows * k;
      return new Multilabel(
          k,
          stp + sfp + sfn == 0 ? Double.NaN : 2.0 * stp / (2.0 * stp + sfp + sfn),
          present == 0 ? Double.NaN : f1 / present,
          cells == 0 ? Double.NaN : (sfp + sfn) / cells,
          rows == 0 ? Double.NaN : (double) exactRows / rows,
          tp.clone(),
          fp.clone(),
          fn.clone());
    }
  }

  /**
   * Metrics of a regressor with several targets, each target on its own and their mean.
   *
   * @param rmse per target, the root mean squared error
   * @param mae per target, the mean absolute error
   * @param r2 per target, the coefficient of determination; NaN for a target whose labels do not
   *     vary
   * @param rmseMean the mean of the targets' RMSE
   * @param maeMean the mean of the targets' MAE
   * @param r2Mean the mean of the targets' R² (uniform average), over targets whose labels vary;
   *     null when none does
   */
  public record MultiTarget(
      double[] rmse, double[] mae, double[] r2, double rmseMean, double maeMean, Double r2Mean) {

    /** The number of targets. */
    public int targets() {
      return rmse.length;
    }

    /**
     * Metrics from per-target sums over {@code n} rows: squared and absolute errors, and the
     * labels' population variance.
     */
    public static MultiTarget of(
        long n, double[] squaredErrors, double[] absoluteErrors, double[] var) {
      int t = squaredErrors.length;
      if (absoluteErrors.length != t || var.length != t) {
        throw new IllegalArgumentException("the per-target sums differ in targets");
      }
      double[] rmse = new double[t];
      double[] mae = new double[t];
      double[] r2 = new double[t];
      double sr = 0;
      double sm = 0;
      double s2 = 0;
      int varying = 0;
      for (int i = 0; i < t; i++) {
        Regression one = Regression.of(n, squaredErrors[i], absoluteErrors[i], var[i]);
        rmse[i] = one.rmse();
        mae[i] = one.mae();
        r2[i] = one.r2() == null ? Double.NaN : one.r2();
        sr += rmse[i];
        sm += mae[i];
        if (one.r2() != null) {
          s2 += one.r2();
          varying++;
        }
      }
      return new MultiTarget(
          rmse,
          mae,
          r2,
          t == 0 ? Double.NaN : sr / t,
          t == 0 ? Double.NaN : sm / t,
          varying == 0 ? null : s2 / varying);
    }
  }

  /**
   * Classifier metrics.
   *
   * @param classes the model's number of classes
   * @param accuracy share of rows whose most probable class is the label
   * @param precisionMacro precision averaged over classes (a class never predicted counts 0)
   * @param recallMacro recall averaged over classes
   * @param f1Macro the per-class F1 averaged over classes
   * @param rocAuc area under the ROC curve (binary), or the one-vs-rest average over classes that
   *     have both positive and negative rows; null when no class has both
   * @param logLoss mean negative log of the probability given to the label (clamped at 1e-15)
   * @param confusion counts, {@code confusion[label][predicted]}
   * @param calibration ten equal score bins: for two classes the positive class's probability
   *     against the share of positives, otherwise the top class's probability against accuracy
   */
  public record Classification(
      int classes,
      double accuracy,
      double precisionMacro,
      double recallMacro,
      double f1Macro,
      Double rocAuc,
      double logLoss,
      long[][] confusion,
      List<CalibrationBin> calibration) {
    public Classification {
      calibration = List.copyOf(calibration);
    }

    /**
     * Metrics from the aggregated counts.
     *
     * @param confusion {@code confusion[label][predicted]} counts
     * @param logLossSum the sum over rows of the negative log probability of the label
     * @param auc per class, the ROC score bins of that class (one-vs-rest); a class with none is
     *     left out
     */
    public static Classification of(
        long[][] confusion,
        double logLossSum,
        List<ScoreBins> auc,
        List<CalibrationBin> calibration) {
      int k = confusion.length;
      long n = 0;
      long correct = 0;
      long[] truth = new long[k];
      long[] predicted = new long[k];
      for (int l = 0; l < k; l++) {
        for (int p = 0; p < k; p++) {
          n += confusion[l][p];
          truth[l] += confusion[l][p];
          predicted[p] += confusion[l][p];
        }
        correct += confusion[l][l];
      }
      // Average over the classes that occur, as labels or as predictions.
      double precision = 0;
      double recall = 0;
      double f1 = 0;
      int present = 0;
      for (int c = 0; c < k; c++) {
        if (truth[c] == 0 && predicted[c] == 0) {
          continue;
        }
        present++;
        double p = predicted[c] == 0 ? 0 : (double) confusion[c][c] / predicted[c];
        double r = truth[c] == 0 ? 0 : (double) confusion[c][c] / truth[c];
        precision += p;
        recall += r;
        f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
      }
      double sumAuc = 0;
      int aucClasses = 0;
      for (ScoreBins bins : auc) {
        Double a = bins.rocAuc();
        if (a != null) {
          sumAuc += a;
          aucClasses++;
        }
      }
      return new Classification(
          k,
          n == 0 ? Double.NaN : (double) correct / n,
          present == 0 ? Double.NaN : precision / present,
          present == 0 ? Double.NaN : recall / present,
          present == 0 ? Double.NaN : f1 / present,
          aucClasses == 0 ? null : sumAuc / aucClasses,
          n == 0 ? Double.NaN : logLossSum / n,
          confusion,
          calibration);
    }
  }

  /**
   * Regressor metrics.
   *
   * @param rmse root mean squared error
   * @param mae mean absolute error
   * @param r2 coefficient of determination; null when the labels do not vary
   */
  public record Regression(double rmse, double mae, Double r2) {
    /**
     * Metrics from sums over {@code n} rows: squared and absolute errors, and the labels'
     * population variance.
     */
    public static Regression of(long n, double squaredErrors, double absoluteErrors, double var) {
      if (n == 0) {
        return new Regression(Double.NaN, Double.NaN, null);
      }
      Double r2 = var > 0 ? 1 - squaredErrors / (n * var) : null;
      return new Regression(Math.sqrt(squaredErrors / n), absoluteErrors / n, r2);
    }
  }

  /**
   * One bin of a calibration curve.
   *
   * @param lower the bin's lower score bound (inclusive)
   * @param upper its upper bound (exclusive, but 1.0 is in the last bin)
   * @param rows rows whose score falls in the bin
   * @param meanScore their mean score
   * @param observed the share of them that were positive (or correct)
   */
  public record CalibrationBin(
      double lower, double upper, long rows, double meanScore, double observed) {}

  /**
   * A class's rows counted by score bin, positives and negatives apart: enough for the ROC curve of
   * that class at the bins' resolution.
   *
   * @param positives positives per bin, bin 0 holding the lowest scores
   * @param negatives negatives per bin
   */
  public record ScoreBins(long[] positives, long[] negatives) {
    public ScoreBins {
      if (positives.length != negatives.length) {
        throw new IllegalArgumentException("positives and negatives differ in bins");
      }
    }

    /**
     * The probability that a random positive scores above a random negative, ties (same bin)
     * counting one half; null without both positives and negatives.
     */
    public Double rocAuc() {
      double pairs = 0;
      long pos = 0;
      long negBelow = 0;
      for (int b = 0; b < positives.length; b++) {
        // Positives in this bin beat every negative in a lower bin and tie with those in it.
        pairs += positives[b] * (double) negBelow + 0.5 * positives[b] * (double) negatives[b];
        pos += positives[b];
        negBelow += negatives[b];
      }
      if (pos == 0 || negBelow == 0) {
        return null;
      }
      return pairs / ((double) pos * negBelow);
    }
  }
}
