package dev.inferlake.executors;

import java.io.Serializable;

/**
 * Counts durations in log-linear buckets (each power of two split in 16 equal parts, so a quantile
 * is known within about 3%), with exact count, sum, minimum and maximum. Mergeable, so tasks record
 * locally and the driver adds them up; a few kilobytes whatever the number of samples.
 */
public final class LatencyHistogram implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int SUB_BUCKETS = 16;

  /** Up to 2^44 ns (about 4.9 hours); longer samples land in the last bucket. */
  private static final int BUCKETS = 44 * SUB_BUCKETS + 1;

  private final long[] counts = new long[BUCKETS];
  private long count;
  private long sumNanos;
  private long minNanos = Long.MAX_VALUE;
  private long maxNanos;

  /** Adds one sample. */
  public void record(long nanos) {
    long v = Math.max(1, nanos);
    counts[bucket(v)]++;
    count++;
    sumNanos += v;
    minNanos = Math.min(minNanos, v);
    maxNanos = Math.max(maxNanos, v);
  }

  /** Adds every sample of {@code other} to this one. */
  public void merge(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    sumNanos += other.sumNanos;
    minNanos = Math.min(minNanos, other.minNanos);
    maxNanos = Math.max(maxNanos, other.maxNanos);
  }

  public long count() {
    return count;
  }

  public long sumNanos() {
    return sumNanos;
  }

  public long maxNanos() {
    return maxNanos;
  }

  /**
   * The {@code q} quantile (0 to 1, nearest rank) in nanoseconds: exact for the first and last
   * rank, else the middle of the bucket that holds it, clamped to the exact minimum and maximum; 0
   * when empty.
   */
  public double quantileNanos(double q) {
    if (q < 0 || q > 1) {
      throw new IllegalArgumentException("quantile " + q + " is not within [0, 1]");
    }
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * count));
    if (rank == count) {
      return maxNanos;
    }
    if (rank == 1) {
      return minNanos;
    }
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        double mid = Math.scalb(1 + (i % SUB_BUCKETS + 0.5) / SUB_BUCKETS, i / SUB_BUCKETS);
        return Math.min(maxNanos, Math.max(minNanos, mid));
      }
    }
    return maxNanos;
  }

  static int bucket(long nanos) {
    // The octave from the bit length, the part of it from the four bits below the top one.
    int exp = 63 - Long.numberOfLeadingZeros(nanos);
    int sub;
    if (exp >= 4) {
      sub = (int) ((nanos >>> (exp - 4)) & 0xF);
    } else {
      sub = (int) ((nanos << (4 - exp)) & 0xF);
    }
    return Math.min(BUCKETS - 1, exp * SUB_BUCKETS + sub);
  }
}
