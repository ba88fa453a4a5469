package dev.inferlake.executors;

import dev.inferlake.executors.internal.BatchStatsAccumulator;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Model-cache counters and batch statistics gathered from every task into the driver through Spark
 * accumulators (updated inside the write action, so a retried task counts once; a write that is run
 * again after a commit conflict counts its batches again).
 */
public final class ScoringMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator hits;
  private final LongAccumulator loadNanos;
  private final LongAccumulator loadedBytes;
  private final CollectionAccumulator<String> loads;
  private final BatchStatsAccumulator batches;
  private final LongAccumulator textTruncated;
  private final LongAccumulator textPositions;
  private final LongAccumulator textPadding;

  private ScoringMetrics(SparkContext sc) {
    textTruncated = sc.longAccumulator("inferlake.text.truncatedRows");
    textPositions = sc.longAccumulator("inferlake.text.positions");
    textPadding = sc.longAccumulator("inferlake.text.padding");
    hits = sc.longAccumulator("inferlake.model.hits");
    loadNanos = sc.longAccumulator("inferlake.model.loadNanos");
    loadedBytes = sc.longAccumulator("inferlake.model.loadedBytes");
    loads = sc.collectionAccumulator("inferlake.model.loads");
    batches = new BatchStatsAccumulator();
    sc.register(batches, "inferlake.batches");
  }

  /** Registers fresh accumulators for one run. */
  public static ScoringMetrics register(SparkContext sc) {
    return new ScoringMetrics(sc);
  }

  /** Called in a task for every model it acquires. */
  void record(ScoredModel model, boolean loaded, long nanos) {
    if (!loaded) {
      hits.add(1);
      return;
    }
    SparkEnv env = SparkEnv.get();
    loads.add((env == null ? "local" : env.executorId()) + "\t" + model.label());
    loadNanos.add(nanos);
    loadedBytes.add(model.manifest().rawBytes());
  }

  /** A task's recorder of batch timings for {@code models}, run by {@code runners}. */
  BatchRecorder recorder(List<ScoredModel> models, List<Runner> runners) {
    return new BatchRecorder(models, runners, batches, this);
  }

  /** Batch statistics per model version ({@code name:version}). */
  public Map<String, VersionBatches> batches() {
    return java.util.Collections.unmodifiableMap(batches.value());
  }

  /** Loads per model version ({@code name:version}), all executors. */
  public Map<String, Long> loadsPerVersion() {
    Map<String, Long> out = new TreeMap<>();
    for (String e : loads.value()) {
      out.merge(e.substring(e.indexOf('\t') + 1), 1L, Long::sum);
    }
    return out;
  }

  /**
   * Times the engine calls of one task and adds them to the run's accumulator once, when the
   * partition is done.
   */
  public static final class BatchRecorder {
    private final String[] labels;
    private final String[] devices;
    private final VersionBatches[] local;
    private final BatchStatsAccumulator target;
    private final ScoringMetrics metrics;
    private long truncated;
    private long positions;
    private long padding;

    private BatchRecorder(
        List<ScoredModel> models,
        List<Runner> runners,
        BatchStatsAccumulator target,
        ScoringMetrics metrics) {
      this.metrics = metrics;
      int n = models.size();
      this.labels = new String[n];
      this.devices = new String[n];
      this.local = new VersionBatches[n];
      this.target = target;
      for (int i = 0; i < n; i++) {
        labels[i] = models.get(i).label();
        devices[i] = runners.get(i).device();
        local[i] = new VersionBatches();
      }
    }

    /** One engine call of model {@code model} that took {@code nanos} for {@code rows} rows. */
    public void record(int model, long nanos, int rows) {
      local[model].record(nanos, rows, devices[model]);
    }

    /**
     * One batch's text: rows truncated to the tokenizer's max length, token positions of its padded
     * input tensors, and how many of those positions are padding.
     */
    public void recordText(long truncatedRows, long tokenPositions, long paddedPositions) {
      truncated += truncatedRows;
      positions += tokenPositions;
      padding += paddedPositions;
    }

    /** Adds this task's figures to the run's. */
    public void flush() {
      if (positions > 0 || truncated > 0) {
        metrics.textTruncated.add(truncated);
        metrics.textPositions.add(positions);
        metrics.textPadding.add(padding);
        truncated = 0;
        positions = 0;
        padding = 0;
      }
      Map<String, VersionBatches> m = new TreeMap<>();
      for (int i = 0; i < labels.length; i++) {
        if (local[i].batches() > 0) {
          m.put(labels[i], local[i]);
        }
      }
      if (!m.isEmpty()) {
        target.add(m);
      }
    }
  }

  /** Models loaded, in all executor JVMs. */
  public long loads() {
    return loads.value().size();
  }

  /** Loads per executor id. */
  public Map<String, Long> loadsPerExecutor() {
    Map<String, Long> out = new TreeMap<>();
    for (String e : loads.value()) {
      out.merge(e.substring(0, e.indexOf('\t')), 1L, Long::sum);
    }
    return out;
  }

  /** Text rows truncated to their tokenizer's max length, all tasks. */
  public long textTruncatedRows() {
    return textTruncated.value();
  }

  /** Token positions of the padded text tensors, all tasks (0 when no model reads text). */
  public long textPositions() {
    return textPositions.value();
  }

  /** Padded positions among {@link #textPositions()}. */
  public long textPadding() {
    return textPadding.value();
  }

  public long hits() {
    return hits.value();
  }

  public long loadMillis() {
    return loadNanos.value() / 1_000_000;
  }

  public long loadedBytes() {
    return loadedBytes.value();
  }
}
