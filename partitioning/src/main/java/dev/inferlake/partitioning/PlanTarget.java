package dev.inferlake.partitioning;

import java.util.Objects;

/**
 * What a plan aims at.
 *
 * @param slots tasks the cluster runs at once; the partition count is a multiple of it where the
 *     balance allows
 * @param rowsPerTask the rows one task should carry (from a measured rate and a target task time)
 * @param maxSkew the largest partition may hold at most this many times the median's rows
 */
public record PlanTarget(Slots slots, long rowsPerTask, double maxSkew) {
  /** The skew the issue sets: the slowest task at most 1.5x the median. */
  public static final double DEFAULT_MAX_SKEW = 1.5;

  public PlanTarget {
    Objects.requireNonNull(slots, "slots");
    if (rowsPerTask < 1) {
      throw new IllegalArgumentException("rowsPerTask must be >= 1, was " + rowsPerTask);
    }
    if (!(maxSkew >= 1)) {
      throw new IllegalArgumentException("maxSkew must be >= 1, was " + maxSkew);
    }
  }

  /**
   * Rows per task from a scoring rate: {@code rowsPerSecond} (one slot's, measured) times the
   * target task time, but never under {@code minBatches} batches, so engine calls stay full.
   */
  public static long rowsPerTask(
      double rowsPerSecond, double targetTaskSeconds, int batchSize, int minBatches) {
    long byTime = (long) Math.ceil(rowsPerSecond * targetTaskSeconds);
    return Math.max(byTime, (long) batchSize * minBatches);
  }
}
