package dev.inferlake.executors;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.TaskContext;

/**
 * Faults injected into scoring tasks on purpose, for resilience drills and tests: Spark conf {@code
 * spark.inferlake.faults}, a comma-separated list of
 *
 * <ul>
 *   <li>{@code slow:P:MILLIS} — the first attempt of the task for input partition {@code P} sleeps
 *       {@code MILLIS} before scoring (a straggler, for speculation; a window to kill an executor);
 *   <li>{@code fail:P} — the first attempt of the task for partition {@code P} fails (Spark retries
 *       it);
 *   <li>{@code stop-after-chunk:K} — a resumable run stops with exit 5 right after committing chunk
 *       {@code K} (from 0), as if its driver had died there.
 * </ul>
 *
 * Later attempts run normally, so a job with faults still finishes when Spark's retries and
 * speculation work. Empty by default.
 *
 * @param slow partition to sleep millis
 * @param fail partitions whose first attempt fails
 * @param stopAfterChunk the chunk after which a resumable run stops; -1 for none
 */
public record FaultInjection(Map<Integer, Long> slow, Set<Integer> fail, int stopAfterChunk)
    implements Serializable {
  /** The Spark conf key. */
  public static final String CONF = "spark.inferlake.faults";

  public static final FaultInjection NONE = new FaultInjection(Map.of(), Set.of(), -1);

  public FaultInjection {
    slow = Map.copyOf(slow);
    fail = Set.copyOf(fail);
  }

  /**
   * Parses the conf value.
   *
   * @throws IllegalArgumentException naming the entry that is not understood
   */
  public static FaultInjection parse(String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    Map<Integer, Long> slow = new TreeMap<>();
    Set<Integer> fail = new TreeSet<>();
    int stop = -1;
    for (String entry : value.split(",")) {
      String[] p = entry.trim().split(":");
      try {
        if (p[0].equals("slow") && p.length == 3) {
          slow.put(Integer.parseInt(p[1]), Long.parseLong(p[2]));
          continue;
        } else if (p[0].equals("fail") && p.length == 2) {
          fail.add(Integer.parseInt(p[1]));
          continue;
        } else if (p[0].equals("stop-after-chunk") && p.length == 2) {
          stop = Integer.parseInt(p[1]);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          CONF
              + ": cannot read '"
              + entry.trim()
              + "'; expected slow:PARTITION:MILLIS, fail:PARTITION or stop-after-chunk:K");
    }
    return new FaultInjection(slow, fail, stop);
  }

  /** Applies the faults meant for the running task, if any. */
  void apply() {
    if (slow.isEmpty() && fail.isEmpty()) {
      return;
    }
    TaskContext tc = TaskContext.get();
    if (tc == null || tc.attemptNumber() > 0) {
      return;
    }
    int p = tc.partitionId();
    Long millis = slow.get(p);
    if (millis != null) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("injected slow task interrupted", e);
      }
    }
    if (fail.contains(p)) {
      throw new IllegalStateException(
          "injected failure (" + CONF + ") in the first attempt of partition " + p);
    }
  }
}
