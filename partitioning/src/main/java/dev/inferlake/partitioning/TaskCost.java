package dev.inferlake.partitioning;

/**
 * What one scoring task costs, as an earlier run of the same model versions (the pilot) measured
 * it: a fixed part per task, and the engine's time per row. A task of {@code n} rows takes {@code
 * fixedSecondsPerTask + n / engineRowsPerSecond}.
 *
 * <p>The fixed part is the pilot's task time outside the engine, spread over its tasks: starting
 * the task, finding the model, opening files, and also reading, encoding and writing the rows,
 * which one run cannot tell apart from the rest. So a plan shaped like the pilot is estimated at
 * the pilot's own task time, and tasks much larger than the pilot's take somewhat longer than
 * estimated.
 *
 * <p>A pilot whose tasks held few rows measured little more than task start-up and the engine's
 * first calls: {@link #sizesTasks()} is false for it, and plans are not sized by it.
 *
 * @param engineRowsPerSecond rows per second of engine time, every model version of the job in one
 *     pass
 * @param fixedSecondsPerTask task time outside the engine, per task
 * @param pilotRows the rows the pilot scored
 * @param pilotTasks the tasks (planned partitions) the pilot scored them in
 */
public record TaskCost(
    double engineRowsPerSecond, double fixedSecondsPerTask, long pilotRows, long pilotTasks) {

  /** A pilot needs this many rows a task to size tasks by. */
  public static final long MIN_PILOT_ROWS_PER_TASK = 10_000;

  public TaskCost {
    if (!(engineRowsPerSecond > 0) || Double.isInfinite(engineRowsPerSecond)) {
      throw new IllegalArgumentException(
          "engineRowsPerSecond must be > 0 and finite, was " + engineRowsPerSecond);
    }
    if (!(fixedSecondsPerTask >= 0) || Double.isInfinite(fixedSecondsPerTask)) {
      throw new IllegalArgumentException(
          "fixedSecondsPerTask must be >= 0 and finite, was " + fixedSecondsPerTask);
    }
    if (pilotRows < 0 || pilotTasks < 1) {
      throw new IllegalArgumentException(
          "pilot must have rows >= 0 and tasks >= 1, was " + pilotRows + " in " + pilotTasks);
    }
  }

  /**
   * The cost measured by one run.
   *
   * @param rows input rows the run scored
   * @param tasks its planned partitions
   * @param taskSeconds executor time of all its tasks
   * @param engineSeconds engine time of every model version it scored
   * @param engineSecondsPerRow engine time per row of the versions the new job scores (the run may
   *     have scored more)
   * @throws IllegalArgumentException when the figures give no positive engine rate
   */
  public static TaskCost measured(
      long rows, long tasks, double taskSeconds, double engineSeconds, double engineSecondsPerRow) {
    return new TaskCost(
        1 / engineSecondsPerRow, Math.max(0, taskSeconds - engineSeconds) / tasks, rows, tasks);
  }

  /** The seconds a task of {@code rows} rows takes. */
  public double taskSeconds(long rows) {
    return fixedSecondsPerTask + rows / engineRowsPerSecond;
  }

  /** The pilot's rows per task. */
  public long pilotRowsPerTask() {
    return pilotRows / pilotTasks;
  }

  /** Whether the pilot's tasks held enough rows ({@value #MIN_PILOT_ROWS_PER_TASK}) to size by. */
  public boolean sizesTasks() {
    return pilotRowsPerTask() >= MIN_PILOT_ROWS_PER_TASK;
  }

  /**
   * The rows a task of {@code targetSeconds} holds: the target less the fixed part, at the engine
   * rate; but when the fixed part is more than half the target, tasks get as much engine time as
   * fixed time, so it never dominates.
   */
  public long rowsPerTask(double targetSeconds) {
    double engineSeconds = Math.max(targetSeconds - fixedSecondsPerTask, fixedSecondsPerTask);
    return (long) Math.ceil(Math.min(engineSeconds * engineRowsPerSecond, Long.MAX_VALUE / 2.0));
  }
}
