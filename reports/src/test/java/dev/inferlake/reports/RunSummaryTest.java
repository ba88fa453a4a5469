package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
  @Test
  void countsInputRowsOncePerVersionAndComputesTheRate() {
    RunSummary s =
        new RunSummary(
            "r1",
            LocalDate.of(2026, 11, 23),
            "/lake/p",
            3,
            Duration.ofSeconds(4),
            1000,
            List.of(
                new RunSummary.VersionRows("m", "v1", "sha256:aa", 1000, 0, 0),
                new RunSummary.VersionRows("m", "v2", "sha256:bb", 1000, 0, 0)),
            new RunSummary.ModelLoads(4, 38, 1250, 9000, java.util.Map.of("1", 2L, "0", 2L), 3000));
    assertEquals(1000, s.inputRows());
    assertEquals(250.0, s.rowsPerSecond(), 1e-9);
    String text = s.render();
    assertTrue(
        text.startsWith(
            "run r1  ds=2026-11-23  1,000 rows x 2 model version(s) in 4.0 s  (250 rows/s)"),
        text);
    assertTrue(text.contains("m:v2         1,000 rows  sha256:bb"), text);
    assertTrue(text.contains("table /lake/p (Delta version 3)"), text);
    assertEquals(
        "run=r1 ds=2026-11-23 status=succeeded table=/lake/p delta_version=3 rows=1000 versions=2"
            + " predicted=2000 quarantined=0 skipped=0 wall_s=4.000 rows_per_s=250 model_loads=4 cache_hits=38",
        s.logLine());
    assertTrue(
        text.contains(
            "models: 3,000 bytes shipped; 4 load(s) {0=2, 1=2} in 1.25 s, 38 cache hit(s)"),
        text);
  }

  @Test
  void rowsAVersionCouldNotTakeAreShownAndCounted() {
    RunSummary s =
        new RunSummary(
            "r2",
            LocalDate.of(2026, 11, 23),
            "/lake/p",
            5,
            Duration.ofSeconds(1),
            100,
            List.of(
                new RunSummary.VersionRows("m", "v1", "sha256:aa", 97, 3, 0),
                new RunSummary.VersionRows("m", "v2", "sha256:bb", 99, 1, 0)),
            new RunSummary.ModelLoads(2, 0, 10, 10, java.util.Map.of("0", 2L), 10));
    assertEquals(196, s.predicted());
    assertEquals(4, s.quarantined());
    String text = s.render();
    assertTrue(text.contains(" 97 rows  3 quarantined  0 skipped  sha256:aa"), text);
    assertTrue(s.logLine().contains(" rows=100 versions=2 predicted=196 quarantined=4 skipped=0 "));
  }
}
