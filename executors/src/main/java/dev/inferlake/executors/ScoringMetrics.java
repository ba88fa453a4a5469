package dev.inferlake.executors;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Model-cache counters gathered from every task into the driver through Spark accumulators (updated
 * inside the write action, so a retried task counts once).
 */
public final class ScoringMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator hits;
  private final LongAccumulator loadNanos;
  private final LongAccumulator loadedBytes;
  private final CollectionAccumulator<String> loads;

  private ScoringMetrics(SparkContext sc) {
    hits = sc.longAccumulator("inferlake.model.hits");
    loadNanos = sc.longAccumulator("inferlake.model.loadNanos");
    loadedBytes = sc.longAccumulator("inferlake.model.loadedBytes");
    loads = sc.collectionAccumulator("inferlake.model.loads");
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
