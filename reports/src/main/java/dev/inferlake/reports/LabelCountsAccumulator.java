package dev.inferlake.reports;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/**
 * The {@link LabelCounts} of every model version, gathered from the tasks of a scoring pass into
 * the driver, each input partition counted once however often it is computed.
 *
 * <p>Spark applies a result task's accumulator update once, but a shuffle-map task's update every
 * time the task succeeds, a failed job keeps the updates of its tasks that succeeded, and a write
 * that is run again (a commit conflict) scores every partition again. So a task does not add its
 * counts: it publishes them as one {@link Part} named by (chunk, partition), and the driver adds a
 * part only the first time it sees that name. A partition's rows and the models are the same every
 * time it is scored, so every copy of a part holds the same counts and which one is kept does not
 * matter. {@link #partitions} tells the driver whether every partition it scored came back (a task
 * that stops early publishes nothing), so it can fall back to the join.
 */
public final class LabelCountsAccumulator
    extends AccumulatorV2<LabelCountsAccumulator.Part, Map<String, LabelCounts>> {
  private static final long serialVersionUID = 1L;

  /**
   * One scored partition's counts.
   *
   * @param chunk the run's chunk
   * @param partition the input partition within it
   * @param counts per {@code name:version}
   */
  public record Part(int chunk, int partition, Map<String, LabelCounts> counts)
      implements Serializable {}

  /** On a task: the parts it published. On the driver: empty. */
  private final List<Part> parts = new ArrayList<>();

  /** On the driver: the parts added, by chunk and partition. */
  private final Set<Long> seen = new HashSet<>();

  private final Map<String, LabelCounts> total = new TreeMap<>();

  @Override
  public boolean isZero() {
    return parts.isEmpty() && seen.isEmpty();
  }

  @Override
  public LabelCountsAccumulator copy() {
    LabelCountsAccumulator c = new LabelCountsAccumulator();
    synchronized (this) {
      c.parts.addAll(parts);
      c.seen.addAll(seen);
      total.forEach(
          (v, counts) -> {
            LabelCounts copy = new LabelCounts();
            copy.merge(counts);
            c.total.put(v, copy);
          });
    }
    return c;
  }

  @Override
  public synchronized void reset() {
    parts.clear();
    seen.clear();
    total.clear();
  }

  @Override
  public synchronized void add(Part p) {
    parts.add(p);
  }

  @Override
  public synchronized void merge(AccumulatorV2<Part, Map<String, LabelCounts>> other) {
    LabelCountsAccumulator o = (LabelCountsAccumulator) other;
    List<Part> incoming;
    synchronized (o) {
      incoming = new ArrayList<>(o.parts);
    }
    for (Part p : incoming) {
      if (seen.add(key(p.chunk(), p.partition()))) {
        p.counts()
            .forEach((v, counts) -> total.computeIfAbsent(v, x -> new LabelCounts()).merge(counts));
      }
    }
  }

  private static long key(int chunk, int partition) {
    return ((long) chunk << 32) | (partition & 0xffffffffL);
  }

  /**
   * Per {@code name:version}, the counts of every partition added; versions without rows absent.
   */
  @Override
  public synchronized Map<String, LabelCounts> value() {
    Map<String, LabelCounts> out = new TreeMap<>();
    total.forEach(
        (v, c) -> {
          if (!c.isEmpty()) {
            out.put(v, c);
          }
        });
    return out;
  }

  /** How many distinct partitions of {@code chunk} were added. */
  public synchronized int partitions(int chunk) {
    int n = 0;
    for (long k : seen) {
      if ((int) (k >>> 32) == chunk) {
        n++;
      }
    }
    return n;
  }
}
