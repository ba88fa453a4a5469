package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  static final Instant END = Instant.parse("2026-11-23T03:10:00Z");

  @Test
  void aSuccessfulRunExposesEverySeriesWithTableAndDateLabels() {
    RunSummary s =
        new RunSummary(
            "r1",
            LocalDate.of(2026, 11, 23),
            "/lake/p",
            4,
            Duration.ofMillis(2500),
            1003,
            List.of(new RunSummary.VersionRows("churn", "v1", "sha256:aa", 1000, 3, 0)),
            new RunSummary.ModelLoads(2, 10, 300, 5000, Map.of("driver", 2L), 1200));
    String text = PrometheusText.success(s, END);
    String l = "{table=\"/lake/p\",ds=\"2026-11-23\"}";
    assertTrue(
        text.contains("# TYPE inferlake_run_success gauge\ninferlake_run_success" + l + " 1\n"),
        text);
    assertTrue(text.contains("inferlake_run_timestamp_seconds" + l + " 1795403400\n"), text);
    assertTrue(text.contains("inferlake_run_wall_seconds" + l + " 2.500\n"), text);
    assertTrue(text.contains("inferlake_run_rows_per_second" + l + " 401.200\n"), text);
    assertTrue(
        text.contains(
            "inferlake_rows_scored{table=\"/lake/p\",ds=\"2026-11-23\",model=\"churn\",version=\"v1\"} 1000\n"),
        text);
    assertTrue(text.contains("inferlake_model_loads" + l + " 2\n"), text);
    assertTrue(text.contains("inferlake_run_input_rows" + l + " 1003\n"), text);
    assertTrue(
        text.contains(
            "inferlake_rows_quarantined{table=\"/lake/p\",ds=\"2026-11-23\",model=\"churn\",version=\"v1\"} 3\n"),
        text);
    assertTrue(
        text.contains(
            "inferlake_rows_skipped{table=\"/lake/p\",ds=\"2026-11-23\",model=\"churn\",version=\"v1\"} 0\n"),
        text);
    // Every sample line is NAME{labels} VALUE; every metric has HELP and TYPE.
    for (String line : text.split("\n")) {
      assertTrue(
          line.startsWith("# HELP ")
              || line.startsWith("# TYPE ")
              || line.matches("[a-z_]+\\{[^}]*} -?[0-9.]+"),
          line);
    }
  }

  @Test
  void aFailedRunSaysSoWithItsExitCode() {
    String text = PrometheusText.failure("s3a://b/t \"x\"", LocalDate.of(2026, 1, 2), 3, END);
    assertTrue(
        text.contains("inferlake_run_success{table=\"s3a://b/t \\\"x\\\"\",ds=\"2026-01-02\"} 0\n"),
        text);
    assertTrue(
        text.contains(
            "inferlake_run_exit_code{table=\"s3a://b/t \\\"x\\\"\",ds=\"2026-01-02\"} 3\n"),
        text);
    assertEquals("a\\\\b\\nc", PrometheusText.escape("a\\b\nc"));
  }
}
