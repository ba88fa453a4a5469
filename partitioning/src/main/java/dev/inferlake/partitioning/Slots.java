package dev.inferlake.partitioning;

/**
 * How many tasks a cluster runs at once. A plan's partition count is a multiple of it, so that no
 * wave of tasks leaves slots idle.
 *
 * @param count tasks that run at once
 * @param kind {@code cpu} or {@code gpu}: what bounds them, for the printed plan
 */
public record Slots(int count, String kind) {
  public Slots {
    if (count < 1) {
      throw new IllegalArgumentException("slots must be >= 1, was " + count);
    }
  }

  /** CPU slots: every executor core, {@code taskCpus} to a task. */
  public static Slots cpu(int totalCores, int taskCpus) {
    if (taskCpus < 1) {
      throw new IllegalArgumentException("spark.task.cpus must be >= 1, was " + taskCpus);
    }
    return new Slots(Math.max(1, totalCores / taskCpus), "cpu");
  }

  /**
   * GPU slots: each executor runs {@code gpusPerExecutor / gpuPerTask} GPU tasks at once (Spark's
   * {@code spark.executor.resource.gpu.amount} and {@code spark.task.resource.gpu.amount}, which
   * may be a fraction such as 0.25 for four tasks sharing a GPU).
   */
  public static Slots gpu(int executors, double gpusPerExecutor, double gpuPerTask) {
    if (gpuPerTask <= 0 || gpusPerExecutor <= 0) {
      throw new IllegalArgumentException(
          "GPU amounts must be > 0: executor " + gpusPerExecutor + ", task " + gpuPerTask);
    }
    // Spark rounds the same way: a fractional task amount packs floor(1/amount) tasks on a GPU.
    int perExecutor =
        gpuPerTask < 1
            ? (int) Math.floor(gpusPerExecutor) * (int) Math.floor(1 / gpuPerTask + 1e-9)
            : (int) Math.floor(gpusPerExecutor / gpuPerTask + 1e-9);
    return new Slots(Math.max(1, executors * Math.max(1, perExecutor)), "gpu");
  }
}
