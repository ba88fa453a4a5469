package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  /** The exact quantile of sorted samples, by the nearest-rank definition. */
  static long exact(long[] sorted, double q) {
    int rank = (int) Math.max(1, Math.ceil(q * sorted.length));
    return sorted[rank - 1];
  }

  @Test
  void quantilesAreWithinThePromisedErrorOfTheExactOnes() {
    Random r = new Random(7);
    long[] samples = new long[20_000];
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    for (int i = 0; i < samples.length; i++) {
      // Log-normal around 1 ms, a heavy tail: what batch latencies look like.
      samples[i] = (long) (1_000_000 * Math.exp(r.nextGaussian()));
      (i % 2 == 0 ? a : b).record(samples[i]);
    }
    a.merge(b);
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    assertEquals(samples.length, a.count());
    assertEquals(Arrays.stream(samples).sum(), a.sumNanos());
    assertEquals(sorted[sorted.length - 1], a.maxNanos());
    for (double q : new double[] {0.01, 0.5, 0.9, 0.95, 0.99, 0.999}) {
      double want = exact(sorted, q);
      double got = a.quantileNanos(q);
      assertTrue(Math.abs(got - want) / want <= 0.035, q + ": " + got + " vs " + want);
    }
    assertEquals(sorted[sorted.length - 1], a.quantileNanos(1.0), 1e-9);
  }

  @Test
  void emptyAndSingleSample() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(0, h.quantileNanos(0.5));
    h.record(1234);
    // One sample: every quantile is that sample (clamped to the exact min and max).
    assertEquals(1234, h.quantileNanos(0.5), 1e-9);
    assertEquals(1234, h.quantileNanos(0.99), 1e-9);
  }
}
