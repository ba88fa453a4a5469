package dev.inferlake.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Sizing and timing tasks by a measured engine rate and a fixed cost per task, kept apart. */
class TaskCostTest {
  private static final Slots EIGHT = new Slots(8, "cpu");

  /** 100M rows to plan, in row groups of 10k rows. */
  private static final long[] HUNDRED_MILLION = filled(10_000, 10_000);

  private static long[] filled(int n, long rows) {
    long[] r = new long[n];
    Arrays.fill(r, rows);
    return r;
  }

  @Test
  void theFiguresOfOneRunAreTheEngineRateAndTheRestPerTask() {
    // 2 tasks, 10 s of task time of which 4 s in the engine, 200,000 rows
    TaskCost c = TaskCost.measured(200_000, 2, 10, 4, 4.0 / 200_000);
    assertEquals(50_000, c.engineRowsPerSecond(), 1e-6);
    assertEquals(3, c.fixedSecondsPerTask(), 1e-9);
    assertEquals(100_000, c.pilotRowsPerTask());
    assertTrue(c.sizesTasks());
    // a task like the pilot's takes what the pilot's took
    assertEquals(5, c.taskSeconds(100_000), 1e-9);
    // 120 s tasks: 117 s in the engine
    assertEquals(117 * 50_000, c.rowsPerTask(120));
  }

  @Test
  void aSmallPilotDominatedByFixedCostNoLongerGivesThousandsOfTinyTasks() {
    // The pilot: 1,797 rows in one task of 4.68 s (384 rows/s), of which 18 ms in the
    // engine.
    double taskSeconds = 1_797 / 384.0;
    TaskCost pilot = TaskCost.measured(1_797, 1, taskSeconds, 0.018, 0.018 / 1_797);
    assertEquals(99_833, pilot.engineRowsPerSecond(), 1);
    assertEquals(taskSeconds - 0.018, pilot.fixedSecondsPerTask(), 1e-9);

    // Sized by its overall rate (what plans did), 100M rows would be thousands of 2-minute tasks
    // of 46k rows, each paying the 4.7 s fixed cost again.
    long byOverallRate = (long) Math.ceil(384.0 * 120);
    PartitionPlan old =
        PartitionPlanner.plan(HUNDRED_MILLION, new PlanTarget(EIGHT, byOverallRate, 1.5));
    assertTrue(old.size() > 2_000, old.size() + " tasks");

    // Kept apart, the fixed cost is paid once a task and the rest is engine time.
    long rows = PlanTarget.rowsPerTask(pilot, 120, 1024);
    assertEquals((long) Math.ceil((120 - pilot.fixedSecondsPerTask()) * 99_833), rows, 100);
    PartitionPlan plan = PartitionPlanner.plan(HUNDRED_MILLION, new PlanTarget(EIGHT, rows, 1.5));
    assertTrue(plan.size() <= 16, plan.size() + " tasks");
    assertEquals(0, plan.size() % 8, "a multiple of the slots: " + plan.size());

    // And such a pilot is too small to size tasks by at all: its figures are start-up, mostly.
    assertFalse(pilot.sizesTasks());
    assertEquals(1_797, pilot.pilotRowsPerTask());
  }

  @Test
  void theEstimateCountsTheFixedCostOncePerTask() {
    TaskCost c = new TaskCost(1_000, 2, 0, 1);
    long[] rows = {1_000, 1_000, 1_000, 1_000};
    PartitionPlan plan =
        PartitionPlanner.plan(rows, new PlanTarget(new Slots(2, "cpu"), 1_000, 1.5));
    assertEquals(4, plan.size());
    // two waves of (2 s fixed + 1 s in the engine)
    assertEquals(6, plan.estimatedSeconds(c), 1e-9);
    // the same rows in 8 tasks cost 4 more fixed seconds over 2 slots
    PartitionPlan finer =
        PartitionPlanner.plan(filled(8, 500), new PlanTarget(new Slots(2, "cpu"), 500, 1.5));
    assertEquals(8, finer.size());
    assertEquals(4 * (2 + 0.5), finer.estimatedSeconds(c), 1e-9);
    // at a plain rate (no fixed cost) the estimate is rows over the rate, as before
    assertEquals(2, plan.estimatedSeconds(1_000), 1e-9);
  }

  @Test
  void aPlanShapedLikeThePilotIsEstimatedAtThePilotsTaskTime() {
    // 6 tasks of 50k rows took 42 s of task time, 12 s of it in the engine
    TaskCost c = TaskCost.measured(300_000, 6, 42, 12, 12.0 / 300_000);
    PartitionPlan plan =
        PartitionPlanner.plan(filled(6, 50_000), new PlanTarget(new Slots(1, "cpu"), 50_000, 1.5));
    assertEquals(6, plan.size());
    assertEquals(42, plan.estimatedSeconds(c), 1e-9);
  }

  @Test
  void aFixedCostAboveHalfTheTargetGetsAsMuchEngineTime() {
    TaskCost slowStart = new TaskCost(10_000, 90, 1_000_000, 4);
    // 120 s tasks would leave 30 s for the engine; they get 90 s, as much as the fixed part
    assertEquals(900_000, slowStart.rowsPerTask(120));
    TaskCost fast = new TaskCost(10_000, 0.5, 1_000_000, 4);
    assertEquals(1_195_000, fast.rowsPerTask(120));
  }

  @Test
  void tasksKeepAtLeastSixteenBatches() {
    TaskCost slowModel = new TaskCost(10, 1, 1_000_000, 10);
    assertEquals(1_190, slowModel.rowsPerTask(120));
    assertEquals(16 * 1024, PlanTarget.rowsPerTask(slowModel, 120, 1024));
  }

  @Test
  void nonsenseFiguresAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TaskCost(0, 1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TaskCost(1, -1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TaskCost(1, 1, 1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TaskCost(Double.POSITIVE_INFINITY, 1, 1, 1),
        "a run with no engine time has no engine rate");
  }
}
