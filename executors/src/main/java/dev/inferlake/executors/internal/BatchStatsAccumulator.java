package dev.inferlake.executors.internal;

import dev.inferlake.executors.VersionBatches;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/**
 * Batch statistics per model version ({@code name:version}), summed from every task into the
 * driver. Tasks add one map each, when their partition is done.
 */
public final class BatchStatsAccumulator
    extends AccumulatorV2<Map<String, VersionBatches>, Map<String, VersionBatches>> {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, VersionBatches> stats = new TreeMap<>();

  @Override
  public boolean isZero() {
    return stats.isEmpty();
  }

  @Override
  public BatchStatsAccumulator copy() {
    BatchStatsAccumulator c = new BatchStatsAccumulator();
    c.add(stats);
    return c;
  }

  @Override
  public void reset() {
    stats.clear();
  }

  @Override
  public void add(Map<String, VersionBatches> v) {
    v.forEach((k, b) -> stats.computeIfAbsent(k, x -> new VersionBatches()).mergeFrom(b));
  }

  @Override
  public void merge(AccumulatorV2<Map<String, VersionBatches>, Map<String, VersionBatches>> o) {
    add(o.value());
  }

  @Override
  public Map<String, VersionBatches> value() {
    return stats;
  }
}
