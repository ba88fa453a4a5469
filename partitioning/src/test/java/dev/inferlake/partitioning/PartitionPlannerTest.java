package dev.inferlake.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionPlannerTest {
  private static final Slots FOUR = Slots.cpu(8, 2);

  /** Every piece in exactly one partition, and the partition rows add up. */
  private static void assertCovers(PartitionPlan plan, long[] rows) {
    int[] seen = new int[rows.length];
    for (PartitionPlan.Partition p : plan.partitions()) {
      long sum = 0;
      for (int i : p.pieces()) {
        seen[i]++;
        sum += rows[i];
      }
      assertEquals(sum, p.rows());
    }
    for (int i = 0; i < seen.length; i++) {
      assertEquals(1, seen[i], "piece " + i);
    }
    assertEquals(Arrays.stream(rows).sum(), plan.totalRows());
  }

  @Test
  void skewedInputIsBalancedWithinTheLimit() {
    // one large file cut in 24 row groups of 40k rows, plus 300 small files of 150..1,500 rows
    Random rnd = new Random(7);
    long[] rows = new long[24 + 300];
    Arrays.fill(rows, 0, 24, 40_000);
    for (int i = 24; i < rows.length; i++) {
      rows[i] = 150 + rnd.nextInt(1_350);
    }
    PartitionPlan plan = PartitionPlanner.plan(rows, new PlanTarget(FOUR, 100_000, 1.5));
    assertCovers(plan, rows);
    assertEquals(0, plan.size() % 4, "a multiple of the slots: " + plan.size());
    assertTrue(plan.skew() <= 1.5, "skew " + plan.skew());
    // 1.2M rows at 100k a task is 13 tasks, rounded up to the slots
    long total = Arrays.stream(rows).sum();
    assertEquals(13, (total + 99_999) / 100_000);
    assertEquals(16, plan.size());
    // what Spark's splits by file would give: the large file alone against tiny files
    long[] byFile = {24 * 40_000L, 800, 900};
    assertTrue(byFile[0] > 1.5 * byFile[1]);
  }

  @Test
  void partitionsComeLargestFirst() {
    long[] rows = {5, 90, 40, 60, 10, 70};
    PartitionPlan plan = PartitionPlanner.plan(rows, new PlanTarget(new Slots(3, "cpu"), 100, 2));
    for (int i = 1; i < plan.size(); i++) {
      assertTrue(plan.partitions().get(i - 1).rows() >= plan.partitions().get(i).rows());
    }
    // pieces inside a partition stay in input order
    for (PartitionPlan.Partition p : plan.partitions()) {
      int[] sorted = p.pieces().clone();
      Arrays.sort(sorted);
      assertTrue(Arrays.equals(sorted, p.pieces()));
    }
  }

  @Test
  void gpuSlotsSetTheMultiple() {
    Slots gpu = Slots.gpu(3, 1, 1);
    assertEquals(3, gpu.count());
    long[] rows = new long[100];
    Arrays.fill(rows, 10_000);
    PartitionPlan plan = PartitionPlanner.plan(rows, new PlanTarget(gpu, 70_000, 1.5));
    assertCovers(plan, rows);
    // 1M rows at 70k a task is 15 tasks; a multiple of 3 slots
    assertEquals(15, plan.size());
    assertEquals(5, plan.waves());
  }

  @Test
  void slotArithmetic() {
    assertEquals(8, Slots.gpu(2, 1, 0.25).count(), "four tasks share each GPU");
    assertEquals(8, Slots.gpu(2, 4, 1).count());
    assertEquals(2, Slots.gpu(2, 2, 2).count());
    assertEquals(1, Slots.gpu(1, 1, 2).count(), "never fewer than one");
    assertEquals(4, Slots.cpu(8, 2).count());
    assertEquals(1, Slots.cpu(1, 4).count());
    assertThrows(IllegalArgumentException.class, () -> Slots.gpu(1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Slots.cpu(4, 0));
  }

  @Test
  void anIndivisiblePieceIsReported() {
    long[] rows = {1_000_000, 10, 10, 10, 10, 10};
    PartitionPlan plan = PartitionPlanner.plan(rows, new PlanTarget(FOUR, 1_000, 1.5));
    assertCovers(plan, rows);
    // the best balance left: the large piece alone, the rest together; one of them says why
    assertTrue(
        plan.notes().stream().anyMatch(n -> n.contains("not a multiple") || n.contains("largest")),
        plan.notes().toString());
  }

  @Test
  void fewerPiecesThanSlots() {
    long[] rows = {500, 500};
    PartitionPlan plan = PartitionPlanner.plan(rows, new PlanTarget(FOUR, 10, 1.5));
    assertEquals(2, plan.size());
    assertTrue(plan.notes().get(0).contains("only 2 non-empty piece(s)"), plan.notes().toString());
  }

  @Test
  void emptyInputIsOnePartition() {
    PartitionPlan plan = PartitionPlanner.plan(new long[] {0, 0, 0}, new PlanTarget(FOUR, 10, 1.5));
    assertEquals(1, plan.size());
    assertEquals(3, plan.partitions().get(0).pieces().length);
    assertEquals(0, plan.totalRows());
  }

  @Test
  void estimatedTimeFollowsTheSlots() {
    long[] rows = {100, 100, 100, 100, 50, 50};
    PartitionPlan plan = PartitionPlanner.plan(rows, new PlanTarget(new Slots(2, "cpu"), 100, 1.5));
    assertEquals(6, plan.size(), plan.notes().toString());
    // two slots at 100 rows/s: the four full tasks in two waves, then the halves
    assertEquals(2.5, plan.estimatedSeconds(100), 1e-9);
    assertEquals(3, plan.waves());
  }

  @Test
  void rowsOfPiecesComeFromFileMetadata() {
    InputFile big =
        new InputFile(
            "f1",
            3_000,
            30,
            List.of(
                new RowGroup(4, 1_000, 10),
                new RowGroup(1_004, 1_000, 12),
                new RowGroup(2_004, 990, 8)));
    InputFile counted = InputFile.counted("f2", 500, 77);
    Map<String, InputFile> files = new HashMap<>(Map.of("f1", big, "f2", counted));
    List<List<FileRange>> pieces = new ArrayList<>();
    pieces.add(List.of(new FileRange("f1", 0, 1_000))); // midpoint 504: group 1
    pieces.add(List.of(new FileRange("f1", 1_000, 1_000))); // 1,504: group 2
    pieces.add(List.of(new FileRange("f1", 2_000, 1_000), new FileRange("f2", 0, 500)));
    PartitionPlan plan =
        PartitionPlanner.plan(pieces, files, new PlanTarget(new Slots(3, "cpu"), 1, 100));
    assertEquals(3, plan.size());
    assertEquals(85, plan.partitions().get(0).rows());
    assertEquals(12, plan.partitions().get(1).rows());
    assertEquals(10, plan.partitions().get(2).rows());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PartitionPlanner.plan(
                    List.of(List.of(new FileRange("f3", 0, 1))),
                    files,
                    new PlanTarget(FOUR, 1, 1.5)));
    assertEquals("no metadata for input file f3", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new InputFile("x", 10, 5, List.of(new RowGroup(0, 10, 4))));
  }
}
