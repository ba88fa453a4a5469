package dev.inferlake.executors;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything a task needs to score its partition; made on the driver and shipped with the task.
 *
 * @param models every model version scored in this pass over the input
 * @param keys key columns copied to the prediction rows
 * @param batchSize rows per engine call (the last batch of a partition may be shorter), or {@link
 *     #AUTO_BATCH_SIZE} for a size each executor picks by a short probe of its runners
 * @param runner how runners are created
 * @param runId the run's id, stored on every row
 * @param dsEpochDay the run date ({@code ds}) as days since 1970-01-01
 * @param scoredAtMicros the run's start, microseconds since the epoch (UTC)
 * @param modelCacheBytes bytes of idle models each executor JVM keeps loaded for this run (other
 *     runs' models are kept within their own budgets; see {@link
 *     dev.inferlake.model.ExecutorModelCache})
 * @param onInvalid what happens to rows a model cannot take
 * @param faults faults injected on purpose (drills, tests); {@link FaultInjection#NONE} normally
 * @param lengthBuckets for text models: whether each task sorts a window of a few batches by text
 *     length before batching them, so rows of like length share a batch and padding stays small
 */
public record ScoringSpec(
    List<ScoredModel> models,
    List<KeyColumn> keys,
    int batchSize,
    RunnerOptions runner,
    String runId,
    int dsEpochDay,
    long scoredAtMicros,
    long modelCacheBytes,
    OnInvalid onInvalid,
    FaultInjection faults,
    boolean lengthBuckets)
    implements Serializable {

  /** The batch size that asks each executor to pick one by probing its runners. */
  public static final int AUTO_BATCH_SIZE = 0;

  /** A spec that buckets text by length. */
  public ScoringSpec(
      List<ScoredModel> models,
      List<KeyColumn> keys,
      int batchSize,
      RunnerOptions runner,
      String runId,
      int dsEpochDay,
      long scoredAtMicros,
      long modelCacheBytes,
      OnInvalid onInvalid,
      FaultInjection faults) {
    this(
        models,
        keys,
        batchSize,
        runner,
        runId,
        dsEpochDay,
        scoredAtMicros,
        modelCacheBytes,
        onInvalid,
        faults,
        true);
  }

  public ScoringSpec {
    models = List.copyOf(models);
    keys = List.copyOf(keys);
    if (models.isEmpty()) {
      throw new IllegalArgumentException("at least one model is needed");
    }
    if (batchSize < 1 && batchSize != AUTO_BATCH_SIZE) {
      throw new IllegalArgumentException("batchSize must be >= 1 or AUTO, was " + batchSize);
    }
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(onInvalid, "onInvalid");
    Objects.requireNonNull(faults, "faults");
  }
}
