package dev.inferlake.reports;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Evaluator} aggregates for one model version, counted row by row instead: the
 * confusion counts, log-loss sum, ROC score bins and calibration bins of a classifier, or the error
 * sums and label variance of a regressor. Filled on the executors while they score (a row at a
 * time, with the label of the input row it predicted), merged on the driver, and turned into the
 * same {@link Evaluation} as the join would give: every row is held against the label exactly as
 * {@link Evaluator} holds it (label usable when it is an integer class of the model, score bins by
 * the same floor-and-clamp, label -1 gathers the rest), so counts agree exactly and sums to
 * rounding.
 *
 * <p>A version's kind is fixed by its first row: rows with {@code probabilities} of two or more
 * classes make a classifier, rows without make a regressor; rows of one class are left out, as the
 * join leaves them out. Not thread-safe: one per version per task.
 */
public final class LabelCounts implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int CALIBRATION_BINS = 10;

  /** Classes of the version's rows; -1 for a regressor; 0 before the first row. */
  private int classes;

  // classifier
  private long[][] confusion;
  private long unusable;
  private double logLoss;

  /** Per class scored one-vs-rest (one class, the positive one, for two classes). */
  private long[][] positives;

  private long[][] negatives;
  private boolean anyUsable;

  /** Per calibration bin: rows, score sum, hits. */
  private long[] calRows;

  private double[] calScores;
  private long[] calHits;

  // regressor: rows, error sums, and the labels' running mean and squared deviations (Chan et al.)
  private long n;
  private double squaredErrors;
  private double absoluteErrors;
  private double mean;
  private double m2;

  /** Whether no row was added. */
  public boolean isEmpty() {
    return classes == 0;
  }

  /**
   * Adds one predicted row with a non-null label.
   *
   * @param label the label, as a double (Spark's cast of the label column)
   * @param prediction the row's {@code prediction}, NaN when null
   * @param probabilities the row's {@code probabilities}, or null
   */
  public void add(double label, double prediction, float[] probabilities, int width) {
    int k = probabilities == null ? -1 : width;
    if (k == 0 || k == 1) {
      return;
    }
    if (classes == 0) {
      init(k);
    } else if (classes != k) {
      throw new IllegalStateException(
          "a version's rows have " + classes + " and " + k + " probabilities");
    }
    if (k < 0) {
      regressor(label, prediction);
    } else {
      classifier(label, prediction, probabilities, k);
    }
  }

  private void init(int k) {
    classes = k;
    if (k < 0) {
      return;
    }
    confusion = new long[k][k];
    int scored = k == 2 ? 1 : k;
    int nb = bins(k);
    positives = new long[scored][nb];
    negatives = new long[scored][nb];
    calRows = new long[CALIBRATION_BINS];
    calScores = new double[CALIBRATION_BINS];
    calHits = new long[CALIBRATION_BINS];
  }

  private static int bins(int k) {
    return k == 2 ? Evaluator.BINARY_BINS : Evaluator.MULTI_BINS;
  }

  /** Spark's {@code greatest(0, least(floor(s * bins), bins - 1))} as {@link Evaluator} bins. */
  static int bin(double s, int bins) {
    long f = (long) Math.floor(s * bins);
    return (int) Math.max(0, Math.min(f, bins - 1));
  }

  private void classifier(double y, double prediction, float[] p, int k) {
    int label = (int) y;
    boolean usable = y == (double) label && label >= 0 && label < k;
    if (!usable) {
      unusable++;
      return;
    }
    anyUsable = true;
    int pred = (int) prediction;
    confusion[label][Math.max(0, Math.min(k - 1, pred))]++;
    logLoss += -StrictMath.log(greatest(p[label], 1e-15));
    int nb = bins(k);
    if (k == 2) {
      double s = p[1];
      int b = bin(s, nb);
      boolean pos = label == 1;
      (pos ? positives : negatives)[0][b]++;
      int cb = b * CALIBRATION_BINS / nb;
      calRows[cb]++;
      calScores[cb] += s;
      calHits[cb] += pos ? 1 : 0;
      return;
    }
    double top = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      double s = p[c];
      (label == c ? positives : negatives)[c][bin(s, nb)]++;
      top = greatest(s, top);
    }
    int cb = bin(top, CALIBRATION_BINS);
    calRows[cb]++;
    calScores[cb] += top;
    calHits[cb] += prediction == y ? 1 : 0;
  }

  /** Spark's {@code greatest}: NaN is larger than any number. */
  private static double greatest(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
  }

  private void regressor(double y, double prediction) {
    double e = prediction - y;
    squaredErrors += StrictMath.pow(e, 2);
    absoluteErrors += Math.abs(e);
    n++;
    double d = y - mean;
    mean += d / n;
    m2 += d * (y - mean);
  }

  /** Adds {@code o}'s counts to these. */
  public void merge(LabelCounts o) {
    if (o.classes == 0) {
      return;
    }
    if (classes == 0) {
      init(o.classes);
    } else if (classes != o.classes) {
      throw new IllegalStateException(
          "a version's rows have " + classes + " and " + o.classes + " probabilities");
    }
    if (classes < 0) {
      if (o.n == 0) {
        return;
      }
      long total = n + o.n;
      double d = o.mean - mean;
      m2 += o.m2 + d * d * n * o.n / total;
      mean += d * o.n / total;
      n = total;
      squaredErrors += o.squaredErrors;
      absoluteErrors += o.absoluteErrors;
      return;
    }
    add(confusion, o.confusion);
    add(positives, o.positives);
    add(negatives, o.negatives);
    unusable += o.unusable;
    logLoss += o.logLoss;
    anyUsable |= o.anyUsable;
    for (int i = 0; i < CALIBRATION_BINS; i++) {
      calRows[i] += o.calRows[i];
      calScores[i] += o.calScores[i];
      calHits[i] += o.calHits[i];
    }
  }

  private static void add(long[][] into, long[][] from) {
    for (int i = 0; i < into.length; i++) {
      for (int j = 0; j < into[i].length; j++) {
        into[i][j] += from[i][j];
      }
    }
  }

  /** The evaluation these counts give; null when no row was added. */
  public Evaluation evaluation(String labelColumn) {
    if (classes == 0) {
      return null;
    }
    if (classes < 0) {
      return new Evaluation(
          labelColumn,
          n,
          0,
          null,
          Evaluation.Regression.of(n, squaredErrors, absoluteErrors, n == 0 ? 0 : m2 / n));
    }
    long labelled = 0;
    long[][] m = new long[classes][];
    for (int l = 0; l < classes; l++) {
      m[l] = confusion[l].clone();
      for (long x : m[l]) {
        labelled += x;
      }
    }
    List<Evaluation.ScoreBins> auc = new ArrayList<>();
    if (anyUsable) {
      for (int c = 0; c < positives.length; c++) {
        auc.add(new Evaluation.ScoreBins(positives[c].clone(), negatives[c].clone()));
      }
    }
    List<Evaluation.CalibrationBin> calibration = new ArrayList<>();
    for (int i = 0; i < CALIBRATION_BINS; i++) {
      long r = calRows[i];
      calibration.add(
          new Evaluation.CalibrationBin(
              (double) i / CALIBRATION_BINS,
              (double) (i + 1) / CALIBRATION_BINS,
              r,
              r == 0 ? Double.NaN : calScores[i] / r,
              r == 0 ? Double.NaN : (double) calHits[i] / r));
    }
    return new Evaluation(
        labelColumn,
        labelled,
        unusable,
        Evaluation.Classification.of(m, logLoss, auc, calibration),
        null);
  }
}
