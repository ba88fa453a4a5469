package dev.inferlake.reports;

/**
 * Population stability index between two distributions counted over the same bins: {@code sum((a -
 * e) * ln(a / e))} over the bins' shares, a share of zero taken as {@value #FLOOR} so that an empty
 * bin costs a finite amount. Under 0.1 is usually read as stable, 0.1 to 0.25 as a moderate shift,
 * above 0.25 as a major one.
 */
public final class Psi {
  /** The share an empty bin is given. */
  public static final double FLOOR = 1e-4;

  private Psi() {}

  /**
   * @param expected counts of the reference distribution per bin
   * @param actual counts of the compared distribution over the same bins
   * @return the index; NaN when either side has no rows
   */
  public static double of(long[] expected, long[] actual) {
    if (expected.length != actual.length) {
      throw new IllegalArgumentException(
          "bins differ: " + expected.length + " vs " + actual.length);
    }
    double te = 0;
    double ta = 0;
    for (int i = 0; i < expected.length; i++) {
      te += expected[i];
      ta += actual[i];
    }
    if (te == 0 || ta == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i] / te, FLOOR);
      double a = Math.max(actual[i] / ta, FLOOR);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
}
