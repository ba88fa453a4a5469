package dev.inferlake.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.partitioning.TaskCost;
import dev.inferlake.reports.RunRecord;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The task cost a run's rows in the runs table and its task count measure. */
class PilotRunTest {
  private static final LocalDate DS = LocalDate.of(2026, 5, 1);

  /** A succeeded run's row for {@code version}: 400k rows, 60 s of task time. */
  private static RunRecord row(String version, double engineMillis) {
    Instant end = Instant.parse("2026-05-01T10:00:00Z");
    return new RunRecord(
        "r1",
        DS,
        "/lake/predictions",
        7L,
        RunRecord.SUCCEEDED,
        null,
        end.minusSeconds(90),
        end,
        "m",
        version,
        "ab",
        400_000L,
        400_000L,
        0L,
        0L,
        90_000,
        60_000L,
        new RunRecord.Batches(391, 400_000, engineMillis, 1, 2, 3, 4),
        null,
        "app",
        "me",
        "/in",
        "test",
        null);
  }

  @Test
  void theEngineTimeOfTheJobsVersionsAndTheRestPerTask() {
    // one pass scored v1 (8 s in the engine) and v2 (12 s) in 8 tasks of 60 s in all
    List<RunRecord> run = List.of(row("v1", 8_000), row("v2", 12_000));

    TaskCost both = PilotRun.of(run, List.of("m:v1", "m:v2"), 8).cost();
    assertEquals(400_000 / 20.0, both.engineRowsPerSecond(), 1e-6);
    assertEquals((60 - 20) / 8.0, both.fixedSecondsPerTask(), 1e-9);
    assertEquals(50_000, both.pilotRowsPerTask());

    // a job of v1 alone: v1's engine rate; the time v2 took is not part of any task of it
    TaskCost v1 = PilotRun.of(run, List.of("m:v1"), 8).cost();
    assertEquals(400_000 / 8.0, v1.engineRowsPerSecond(), 1e-6);
    assertEquals((60 - 20) / 8.0, v1.fixedSecondsPerTask(), 1e-9);
  }

  @Test
  void withoutATaskCountOrEngineTimeThereIsNoCostAndItSaysWhy() {
    PilotRun noPlan = PilotRun.of(List.of(row("v1", 8_000)), List.of("m:v1"), 0);
    assertNull(noPlan.cost());
    assertEquals("r1", noPlan.runId());
    assertTrue(
        noPlan.missing().startsWith("run r1 (ds 2026-05-01) recorded no partition plan in"),
        noPlan.missing());

    PilotRun noEngine = PilotRun.of(List.of(row("v1", 0)), List.of("m:v1"), 8);
    assertNull(noEngine.cost());
    assertEquals("run r1 (ds 2026-05-01) recorded no engine time", noEngine.missing());
  }
}
