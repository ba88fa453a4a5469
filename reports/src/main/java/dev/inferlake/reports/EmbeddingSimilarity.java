package dev.inferlake.reports;

import java.util.Arrays;

/**
 * How alike two model versions' embeddings of the same keys are: the per-key cosine similarity
 * (summarized by its mean and its 1st and 5th percentiles) and the overlap of each key's nearest
 * neighbours. Plain arithmetic on what {@link ReportBuilder} gathers on the cluster (cosine counts
 * per bin, and the embeddings of a small sample of keys); no Spark here.
 *
 * <p>Cosine percentiles come from {@value #COSINE_BINS} equal bins over [-1, 1], so they are exact
 * to {@value #COSINE_RESOLUTION}: a percentile is the lower edge of the bin it falls in. The mean
 * is exact (a sum over keys).
 */
public final class EmbeddingSimilarity {
  /** Bins of the cosine histogram over [-1, 1]. */
  public static final int COSINE_BINS = 20_000;

  /** The width of one cosine bin: percentiles are exact to this. */
  public static final double COSINE_RESOLUTION = 2.0 / COSINE_BINS;

  /** Neighbours per key in the nearest-neighbour overlap. */
  public static final int NEIGHBOURS = 10;

  /** Keys in the nearest-neighbour sample (at most). */
  public static final int SAMPLE = 1_000;

  private EmbeddingSimilarity() {}

  /**
   * Cosine similarity of two vectors of one length, in double precision; NaN when either is all
   * zeros or their lengths differ.
   */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? Double.NaN : dot / Math.sqrt(na * nb);
  }

  /** The cosine bin a similarity falls in: 0 for -1, {@code COSINE_BINS - 1} for 1. */
  public static int bin(double cosine) {
    // multiplied by the bins per unit rather than divided by the width: 0.2 lands in the bin
    // starting at 0.2, not the one below
    int b = (int) Math.floor((cosine + 1) * (COSINE_BINS / 2));
    return Math.max(0, Math.min(COSINE_BINS - 1, b));
  }

  /**
   * Per-key cosine similarity of a version against the baseline.
   *
   * @param keys keys both versions embedded with vectors of one width and neither all zeros
   * @param mean the mean cosine
   * @param p1 its 1st percentile (1% of keys are at most this similar)
   * @param p5 its 5th percentile
   */
  public record Cosine(long keys, double mean, double p1, double p5) {
    /**
     * From the cosine histogram and the sum of the cosines.
     *
     * @param bins {@link #COSINE_BINS} counts, bin {@link #bin} of each key's cosine
     * @param sum the sum of the keys' cosines
     */
    public static Cosine of(long[] bins, double sum) {
      if (bins.length != COSINE_BINS) {
        throw new IllegalArgumentException(
            "expected " + COSINE_BINS + " cosine bins, got " + bins.length);
      }
      long n = Arrays.stream(bins).sum();
      if (n == 0) {
        return new Cosine(0, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Cosine(n, sum / n, percentile(bins, n, 0.01), percentile(bins, n, 0.05));
    }

    /** The lower edge of the bin holding the {@code ceil(q * n)}-th smallest cosine. */
    private static double percentile(long[] bins, long n, double q) {
      long rank = Math.max(1, (long) Math.ceil(q * n));
      long seen = 0;
      for (int b = 0; b < bins.length; b++) {
        seen += bins[b];
        if (seen >= rank) {
          return -1 + b / (COSINE_BINS / 2.0);
        }
      }
      return 1;
    }
  }

  /**
   * The mean share of each key's {@code k} nearest neighbours (by cosine, among the other keys of
   * the sample) that the two versions have in common. Row {@code i} of both arrays is the same key;
   * the two versions' widths may differ. Ties go to the lower row index; a key whose vector is all
   * zeros has no neighbours by cosine and is left out of the mean.
   *
   * @param a the sample's embeddings by the baseline
   * @param b the same keys' embeddings by the other version
   * @param k neighbours per key; fewer when the sample has no more than {@code k} keys
   * @return the mean overlap in [0, 1], NaN with fewer than two keys
   */
  public static double neighbourOverlap(float[][] a, float[][] b, int k) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "the two versions' samples differ in keys: " + a.length + " and " + b.length);
    }
    int n = a.length;
    int kk = Math.min(k, n - 1);
    if (kk < 1) {
      return Double.NaN;
    }
    double[][] ua = unit(a);
    double[][] ub = unit(b);
    double sum = 0;
    int counted = 0;
    for (int i = 0; i < n; i++) {
      if (ua[i] == null || ub[i] == null) {
        continue;
      }
      int[] na = nearest(ua, i, kk);
      int[] nb = nearest(ub, i, kk);
      int common = 0;
      for (int x : na) {
        for (int y : nb) {
          if (x == y) {
            common++;
            break;
          }
        }
      }
      sum += (double) common / kk;
      counted++;
    }
    return counted == 0 ? Double.NaN : sum / counted;
  }

  /** The vectors scaled to length 1, in double precision; null for a vector of zeros. */
  private static double[][] unit(float[][] v) {
    double[][] out = new double[v.length][];
    for (int i = 0; i < v.length; i++) {
      double norm = 0;
      for (float x : v[i]) {
        norm += (double) x * x;
      }
      if (norm > 0) {
        double s = 1 / Math.sqrt(norm);
        out[i] = new double[v[i].length];
        for (int j = 0; j < v[i].length; j++) {
          out[i][j] = v[i][j] * s;
        }
      }
    }
    return out;
  }

  /** The rows of the {@code k} largest cosines with row {@code i}, itself and zero rows aside. */
  private static int[] nearest(double[][] u, int i, int k) {
    int[] best = new int[k];
    double[] sim = new double[k];
    int have = 0;
    for (int j = 0; j < u.length; j++) {
      if (j == i || u[j] == null || u[j].length != u[i].length) {
        continue;
      }
      double s = 0;
      for (int d = 0; d < u[i].length; d++) {
        s += u[i][d] * u[j][d];
      }
      // insertion into the sorted top k; a tie keeps the earlier row first
      if (have < k || s > sim[have - 1]) {
        int at = Math.min(have, k - 1);
        while (at > 0 && sim[at - 1] < s) {
          best[at] = best[at - 1];
          sim[at] = sim[at - 1];
          at--;
        }
        best[at] = j;
        sim[at] = s;
        have = Math.min(k, have + 1);
      }
    }
    return Arrays.copyOf(best, have);
  }
}
