package dev.inferlake.executors;

import dev.inferlake.executors.internal.BatchSizeProbe;
import dev.inferlake.executors.internal.ScoringIterator;
import dev.inferlake.executors.internal.ValidationIterator;
import dev.inferlake.model.ExecutorModelCache;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Turns one partition of input rows into prediction rows for every model version, in one pass.
 *
 * <p>Input rows are Spark's {@link InternalRow}s (read straight from the columnar scan, without
 * conversion to external {@code Row} objects and the boxing that brings). Rows are packed into
 * reusable typed {@link Tensor}s of {@code batchSize} examples and scored batch by batch, so memory
 * per task is bounded by the batch size. Runners come from {@link ExecutorRunners#shared()}. An
 * empty partition creates no runner.
 *
 * <p>Output rows follow {@link PredictionSchema#of}; for each batch, every model's rows are emitted
 * in turn. Rows a model cannot take fail the task or are left out, as {@link ScoringSpec#onInvalid}
 * says; {@link #rejects} lists them.
 */
public final class PartitionScorer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ScoringSpec spec;
  private final ScoringMetrics metrics;

  /**
   * @param metrics where cache counters go; null to keep none
   */
  public PartitionScorer(ScoringSpec spec, ScoringMetrics metrics) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.metrics = metrics;
  }

  /**
   * Scores a partition lazily.
   *
   * @throws dev.inferlake.model.InferlakeException INPUT on a row that does not fit a model (null
   *     value, wrong array length), MODEL when a model fails to load or run
   */
  public Iterator<InternalRow> score(Iterator<InternalRow> rows) {
    return score(rows, null, -1);
  }

  /**
   * Scores partition {@code partition} lazily, showing {@code tap} every prediction row with its
   * label (an empty partition is reported done at once).
   *
   * @param tap null to show none
   */
  public Iterator<InternalRow> score(Iterator<InternalRow> rows, LabelTap tap, int partition) {
    spec.faults().apply();
    LabelTap.Partition counter = tap == null ? null : tap.open(partition);
    if (!rows.hasNext()) {
      if (counter != null) {
        counter.done();
      }
      return Collections.emptyIterator();
    }
    ExecutorRunners shared = ExecutorRunners.shared();
    // The job's budget limits the idle models this job keeps, never another job's.
    ExecutorModelCache.Budget budget =
        new ExecutorModelCache.Budget(spec.runId(), spec.modelCacheBytes());
    List<ExecutorModelCache.Lease<Runner>> leases = new ArrayList<>();
    Runnable release = () -> leases.forEach(ExecutorModelCache.Lease::close);
    try {
      for (ScoredModel m : spec.models()) {
        ExecutorModelCache.Lease<Runner> lease = shared.acquire(m, spec.runner(), budget);
        leases.add(lease);
        if (metrics != null) {
          metrics.record(m, lease.loaded(), lease.loadNanos());
        }
      }
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    // Runners are held for the partition: released when it is exhausted, or when the task ends
    // some other way (failure, a downstream limit).
    TaskContext tc = TaskContext.get();
    if (tc != null) {
      tc.addTaskCompletionListener((TaskCompletionListener) ctx -> release.run());
    }
    List<Runner> runners = leases.stream().map(ExecutorModelCache.Lease::value).toList();
    ScoringMetrics.BatchRecorder recorder =
        metrics == null ? null : metrics.recorder(spec.models(), runners);
    int batchSize =
        spec.batchSize() == ScoringSpec.AUTO_BATCH_SIZE
            ? BatchSizeProbe.choose(spec.models(), runners, spec.runner())
            : spec.batchSize();
    return new ScoringIterator(
        spec,
        runners,
        batchSize,
        rows,
        recorder,
        () -> {
          if (recorder != null) {
            recorder.flush();
          }
          release.run();
        },
        tap,
        counter);
  }

  /**
   * The rows of a partition that some model cannot take, as {@link QuarantineSchema} rows: one per
   * (row, model version), with the reason. Checks rows exactly as {@link #score} encodes them, and
   * loads no model.
   */
  public Iterator<InternalRow> rejects(Iterator<InternalRow> rows) {
    return new ValidationIterator(spec, rows);
  }
}
