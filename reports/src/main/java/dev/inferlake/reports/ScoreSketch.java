package dev.inferlake.reports;

import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Every version's scores counted in one Spark aggregation: {@value #FINE} fine bins over the
 * scores' range, bin {@code b} holding the scores in {@code (lo + b w, lo + (b + 1) w]} (the first
 * also {@code lo} and below, the last everything above), and alongside the report's histogram bins
 * ({@code [lo + i W, lo + (i + 1) W)}, as the histogram always counted them). The histograms, a
 * version's deciles and every version's counts between those deciles are then read off the counts
 * on the driver, with no further pass over the predictions.
 *
 * <p>Deciles are fine-bin edges: the {@code q}-th decile is the upper edge of the first fine bin by
 * which a share {@code q} of the rows is reached, so it lies at most one fine bin ({@code 1/10,000}
 * of the range) above the exact quantile, and the counts between deciles are exact for those edges.
 */
final class ScoreSketch {
  /** Fine bins over the range; a multiple of {@link ReportRequest#HISTOGRAM_BINS}. */
  static final int FINE = 10_000;

  private final double lo;
  private final double fine;
  private final Map<String, long[]> fineCounts;
  private final Map<String, long[]> histograms;

  private ScoreSketch(
      double lo, double fine, Map<String, long[]> fineCounts, Map<String, long[]> histograms) {
    this.lo = lo;
    this.fine = fine;
    this.fineCounts = fineCounts;
    this.histograms = histograms;
  }

  /**
   * Counts the non-null scores of column {@code score} per version (column {@code version}) over
   * {@code [lo, hi]}, in {@link ReportRequest#HISTOGRAM_BINS} histogram bins and {@value #FINE}
   * fine bins. One Spark job.
   */
  static ScoreSketch count(Dataset<Row> rows, String version, String score, double lo, double hi) {
    int n = ReportRequest.HISTOGRAM_BINS;
    double width = (hi - lo) / n;
    double fine = (hi - lo) / FINE;
    org.apache.spark.sql.Column histBin =
        least(greatest(floor(col(score).minus(lo).divide(width)), lit(0)), lit(n - 1)).cast("int");
    org.apache.spark.sql.Column fineBin =
        least(
                greatest(ceil(col(score).minus(lo).divide(fine)).minus(lit(1)), lit(0)),
                lit(FINE - 1))
            .cast("int");
    Map<String, long[]> fineCounts = new HashMap<>();
    Map<String, long[]> histograms = new HashMap<>();
    for (Row r :
        rows.where(col(score).isNotNull())
            .groupBy(col(version), histBin.as("h"), fineBin.as("f"))
            .count()
            .collectAsList()) {
      String v = r.getString(0);
      long c = r.getLong(3);
      histograms.computeIfAbsent(v, x -> new long[n])[r.getInt(1)] += c;
      fineCounts.computeIfAbsent(v, x -> new long[FINE])[r.getInt(2)] += c;
    }
    return new ScoreSketch(lo, fine, fineCounts, histograms);
  }

  /** Per version with scores, its histogram over the {@code bins} histogram bins. */
  Map<String, long[]> histograms(int bins) {
    if (bins != ReportRequest.HISTOGRAM_BINS) {
      throw new IllegalArgumentException("counted " + ReportRequest.HISTOGRAM_BINS + " bins");
    }
    return histograms;
  }

  /**
   * The fine bin whose upper edge each decile of {@code v} is, duplicates removed; none without
   * scores.
   */
  private int[] decileBins(String v) {
    long[] c = fineCounts.get(v);
    if (c == null) {
      return new int[0];
    }
    long total = Arrays.stream(c).sum();
    TreeSet<Integer> bins = new TreeSet<>();
    long cum = 0;
    int q = 1;
    for (int b = 0; b < FINE && q <= 9; b++) {
      cum += c[b];
      while (q <= 9 && cum * 10 >= q * total) {
        bins.add(b);
        q++;
      }
    }
    return bins.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The deciles of version {@code v}'s scores (fine-bin edges), duplicates removed. */
  double[] deciles(String v) {
    return Arrays.stream(decileBins(v)).mapToDouble(b -> lo + (b + 1) * fine).toArray();
  }

  /**
   * Per version with scores, its counts between {@code edges} (a version's {@link #deciles}):
   * bucket {@code i} holds the scores in {@code (edges[i-1], edges[i]]}, the last those above every
   * edge.
   */
  Map<String, long[]> bucketCounts(double[] edges) {
    int[] edgeBins = new int[edges.length];
    for (int i = 0; i < edges.length; i++) {
      edgeBins[i] = (int) Math.round((edges[i] - lo) / fine) - 1;
    }
    Map<String, long[]> out = new HashMap<>();
    fineCounts.forEach(
        (v, c) -> {
          long[] buckets = new long[edges.length + 1];
          int k = 0;
          for (int b = 0; b < FINE; b++) {
            while (k < edgeBins.length && edgeBins[k] < b) {
              k++;
            }
            buckets[k] += c[b];
          }
          out.put(v, buckets);
        });
    return out;
  }
}
