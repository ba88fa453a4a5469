package dev.inferlake.partitioning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Groups input pieces into tasks of about equal rows, from metadata only.
 *
 * <p>The input arrives cut finely (about one Parquet row group, or one small file, per piece); this
 * planner counts each piece's rows from footers or Delta statistics and packs the pieces into
 * partitions: large files are thereby split by row group and small files packed together. The
 * partition count aims at {@link PlanTarget#rowsPerTask()}, is at least the slot count and a
 * multiple of it, and is lowered until the largest partition holds at most {@link
 * PlanTarget#maxSkew()} times the median's rows. Pieces go largest first to the partition holding
 * the fewest rows (longest-processing-time packing).
 */
public final class PartitionPlanner {
  private PartitionPlanner() {}

  /**
   * Plans tasks over {@code pieces}.
   *
   * @param pieces the input as a reader cut it: each piece one or more file ranges
   * @param files metadata of every file the pieces name
   * @throws IllegalArgumentException when a piece names a file {@code files} lacks
   */
  public static PartitionPlan plan(
      List<List<FileRange>> pieces, Map<String, InputFile> files, PlanTarget target) {
    long[] rows = new long[pieces.size()];
    for (int i = 0; i < rows.length; i++) {
      for (FileRange r : pieces.get(i)) {
        InputFile f = files.get(r.path());
        if (f == null) {
          throw new IllegalArgumentException("no metadata for input file " + r.path());
        }
        rows[i] += f.rowsIn(r.start(), r.length());
      }
    }
    return plan(rows, target);
  }

  /** Plans tasks over pieces of the given row counts. */
  public static PartitionPlan plan(long[] pieceRows, PlanTarget target) {
    int slots = target.slots().count();
    long total = 0;
    int nonEmpty = 0;
    long largest = 0;
    for (long r : pieceRows) {
      total += r;
      largest = Math.max(largest, r);
      if (r > 0) {
        nonEmpty++;
      }
    }
    List<String> notes = new ArrayList<>();
    if (nonEmpty == 0) {
      int[] all = new int[pieceRows.length];
      Arrays.setAll(all, i -> i);
      return new PartitionPlan(
          List.of(new PartitionPlan.Partition(all, 0)), target.slots(), pieceRows.length, notes);
    }
    long wanted = Math.max(slots, ceilDiv(total, target.rowsPerTask()));
    wanted = ceilDiv(wanted, slots) * slots;
    int start = (int) Math.min(wanted, nonEmpty);
    if (start < wanted) {
      notes.add(
          "the input has only "
              + nonEmpty
              + " non-empty piece(s), fewer than the "
              + wanted
              + " partitions wanted");
    }
    // Multiples of the slot count first, largest first; then any count; else the balance is
    // bounded by the largest piece, which no grouping can split.
    List<PartitionPlan.Partition> best = null;
    for (int n = start - start % slots; n >= slots && best == null; n -= slots) {
      best = balanced(pieceRows, n, target.maxSkew());
    }
    for (int n = start; n >= 1 && best == null; n--) {
      best = balanced(pieceRows, n, target.maxSkew());
      if (best != null) {
        notes.add(
            n + " partition(s), not a multiple of the " + slots + " slot(s): the balance needs it");
      }
    }
    if (best == null) {
      best = pack(pieceRows, start);
      notes.add(
          "the largest piece holds "
              + largest
              + " rows, more than "
              + target.maxSkew()
              + "x the median partition: write smaller row groups or files to balance better");
    }
    best.sort(Comparator.comparingLong(PartitionPlan.Partition::rows).reversed());
    return new PartitionPlan(best, target.slots(), pieceRows.length, notes);
  }

  private static List<PartitionPlan.Partition> balanced(long[] rows, int n, double maxSkew) {
    List<PartitionPlan.Partition> p = pack(rows, n);
    long[] sorted = p.stream().mapToLong(PartitionPlan.Partition::rows).sorted().toArray();
    double median = PartitionPlan.median(sorted);
    return median > 0 && sorted[sorted.length - 1] <= maxSkew * median ? p : null;
  }

  /** Longest-processing-time packing of the pieces into {@code n} partitions. */
  private static List<PartitionPlan.Partition> pack(long[] rows, int n) {
    Integer[] order = new Integer[rows.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> rows[a] != rows[b] ? Long.compare(rows[b], rows[a]) : a - b);
    long[] load = new long[n];
    List<List<Integer>> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(new ArrayList<>());
    }
    PriorityQueue<Integer> least =
        new PriorityQueue<>((a, b) -> load[a] != load[b] ? Long.compare(load[a], load[b]) : a - b);
    for (int i = 0; i < n; i++) {
      least.add(i);
    }
    for (int piece : order) {
      int g = least.poll();
      members.get(g).add(piece);
      load[g] += rows[piece];
      least.add(g);
    }
    List<PartitionPlan.Partition> out = new ArrayList<>();
    for (int g = 0; g < n; g++) {
      int[] pieces = members.get(g).stream().mapToInt(Integer::intValue).sorted().toArray();
      out.add(new PartitionPlan.Partition(pieces, load[g]));
    }
    return out;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
