package dev.inferlake.partitioning;

import java.util.Objects;

/**
 * What a plan aims at.
 *
 * @param slots tasks the cluster runs at once; the partition count is a multiple of it where the
 *     balance allows
 * @param rowsPerTask the rows one task should carry (from a measured cost and a target task time)
 * @param maxSkew the largest partition may hold at most this many times the median's rows
 */
public record PlanTarget(Slots slots, long rowsPerTask, double maxSkew) {
  /** The skew the issue sets: the slowest task at most 1.5x the median. */
  public static final double DEFAULT_MAX_SKEW = 1.5;

  /** Tasks carry at least this many batches, so engine calls stay full. */
  public static final int MIN_BATCHES_PER_TASK = 16;

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
   * Rows per task from a measured cost: the rows a task of {@code targetTaskSeconds} holds (see
   * {@link TaskCost#rowsPerTask}), but never under {@value #MIN_BATCHES_PER_TASK} batches.
   */
  public static long rowsPerTask(TaskCost cost, double targetTaskSeconds, int batchSize) {
    return Math.max(cost.rowsPerTask(targetTaskSeconds), (long) batchSize * MIN_BATCHES_PER_TASK);
  }
}
