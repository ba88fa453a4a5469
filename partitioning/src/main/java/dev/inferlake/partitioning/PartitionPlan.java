package dev.inferlake.partitioning;

import java.util.Arrays;
import java.util.List;

/**
 * Which input pieces each task reads, with the rows metadata says each will carry. Partitions are
 * ordered largest first, so that Spark, which launches tasks in index order, starts the longest
 * ones in the first wave.
 *
 * @param partitions per task: the indexes of the pieces it reads (in input order) and its rows
 * @param slots the slots the plan was made for
 * @param pieces how many pieces the input was cut into before grouping
 * @param notes what bounded the plan, for the printed plan and the log; empty when nothing did
 */
public record PartitionPlan(
    List<Partition> partitions, Slots slots, int pieces, List<String> notes) {
  public PartitionPlan {
    partitions = List.copyOf(partitions);
    notes = List.copyOf(notes);
  }

  /** One task: the pieces it reads and the rows they hold. */
  public record Partition(int[] pieces, long rows) {}

  public int size() {
    return partitions.size();
  }

  public long totalRows() {
    long n = 0;
    for (Partition p : partitions) {
      n += p.rows();
    }
    return n;
  }

  private long[] sortedRows() {
    long[] r = partitions.stream().mapToLong(Partition::rows).toArray();
    Arrays.sort(r);
    return r;
  }

  public long minRows() {
    long[] r = sortedRows();
    return r.length == 0 ? 0 : r[0];
  }

  public long maxRows() {
    long[] r = sortedRows();
    return r.length == 0 ? 0 : r[r.length - 1];
  }

  public double medianRows() {
    return median(sortedRows());
  }

  /** The largest partition's rows over the median's: 1.0 is perfect balance. */
  public double skew() {
    double med = medianRows();
    return med == 0 ? (maxRows() == 0 ? 1.0 : Double.POSITIVE_INFINITY) : maxRows() / med;
  }

  /** How many rounds of tasks the slots run. */
  public int waves() {
    return (size() + slots.count() - 1) / slots.count();
  }

  /**
   * The time the plan takes when one slot scores {@code rowsPerSecond}: tasks go, in index order,
   * to whichever slot frees first (what Spark's scheduler does with equal slots).
   */
  public double estimatedSeconds(double rowsPerSecond) {
    return estimatedSeconds(new TaskCost(rowsPerSecond, 0, 0, 1));
  }

  /**
   * The time the plan takes when each task costs what {@code cost} says: a fixed part per task plus
   * its rows at the engine rate, tasks going to slots as in {@link #estimatedSeconds(double)}.
   */
  public double estimatedSeconds(TaskCost cost) {
    double[] free = new double[slots.count()];
    for (Partition p : partitions) {
      int s = 0;
      for (int i = 1; i < free.length; i++) {
        if (free[i] < free[s]) {
          s = i;
        }
      }
      free[s] += cost.taskSeconds(p.rows());
    }
    double end = 0;
    for (double f : free) {
      end = Math.max(end, f);
    }
    return end;
  }

  static double median(long[] sorted) {
    if (sorted.length == 0) {
      return 0;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
  }
}
