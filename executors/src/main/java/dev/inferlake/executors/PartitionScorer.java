package dev.inferlake.executors;

import dev.inferlake.executors.internal.ScoringIterator;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Turns one partition of input rows into prediction rows for every model version, in one pass.
 *
 * <p>Input rows are Spark's {@link InternalRow}s (read straight from the columnar scan, without
 * conversion to external {@code Row} objects and the boxing that brings). Rows are packed into
 * reusable direct buffers of {@code batchSize} examples and scored batch by batch, so memory per
 * task is bounded by the batch size. An empty partition creates no runner.
 *
 * <p>Output rows follow {@link PredictionSchema#of}; for each batch, every model's rows are emitted
 * in turn.
 */
public final class PartitionScorer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ScoringSpec spec;

  public PartitionScorer(ScoringSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /**
   * Scores a partition lazily.
   *
   * @throws dev.inferlake.model.InferlakeException INPUT on a row that does not fit a model (null
   *     value, wrong array length), MODEL when a model fails to load or run
   */
  public Iterator<InternalRow> score(Iterator<InternalRow> rows) {
    if (!rows.hasNext()) {
      return Collections.emptyIterator();
    }
    List<Runner> runners = new ArrayList<>();
    for (ScoredModel m : spec.models()) {
      runners.add(ExecutorRunners.get(m, spec.runner()));
    }
    return new ScoringIterator(spec, runners, rows);
  }
}
