package dev.inferlake.reports;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;

/**
 * A run's metrics in the Prometheus text exposition format (version 0.0.4), for node exporter's
 * textfile collector or a push gateway. Every series carries {@code table} and {@code ds} labels; a
 * failed run still yields {@code inferlake_run_success 0}, so one alert covers every failure.
 */
public final class PrometheusText {
  private PrometheusText() {}

  /** Metrics of a successful run. */
  public static String success(RunSummary s, Instant ended) {
    String base = labels(s.table(), s.ds());
    StringBuilder sb = new StringBuilder();
    gauge(sb, "inferlake_run_success", "1 if the run succeeded, 0 if it failed.", base, 1);
    gauge(sb, "inferlake_run_exit_code", "The run's exit code.", base, 0);
    gauge(
        sb,
        "inferlake_run_timestamp_seconds",
        "When the run ended (Unix time).",
        base,
        ended.getEpochSecond());
    gauge(
        sb,
        "inferlake_run_wall_seconds",
        "Wall time from start to commit.",
        base,
        s.wall().toMillis() / 1000.0);
    gauge(
        sb,
        "inferlake_run_rows_per_second",
        "Input rows scored per second of wall time.",
        base,
        s.rowsPerSecond());
    gauge(sb, "inferlake_run_input_rows", "Input rows the run read.", base, s.inputRows());
    perVersion(
        sb, s, base, "inferlake_rows_scored", "Prediction rows written for a model version.", 0);
    perVersion(
        sb,
        s,
        base,
        "inferlake_rows_quarantined",
        "Input rows a model version could not take, written to the quarantine table.",
        1);
    perVersion(
        sb,
        s,
        base,
        "inferlake_rows_skipped",
        "Input rows a model version could not take, left out (on_invalid: skip).",
        2);
    gauge(
        sb,
        "inferlake_model_loads",
        "Models loaded by executors during the run.",
        base,
        s.loads().loads());
    gauge(
        sb,
        "inferlake_model_cache_hits",
        "Tasks served by a model already loaded.",
        base,
        s.loads().hits());
    gauge(
        sb,
        "inferlake_model_shipped_bytes",
        "Model package bytes shipped.",
        base,
        s.loads().shippedBytes());
    return sb.toString();
  }

  private static void perVersion(
      StringBuilder sb, RunSummary s, String base, String name, String help, int which) {
    header(sb, name, help);
    for (RunSummary.VersionRows v : s.versions()) {
      String l =
          base.substring(0, base.length() - 1)
              + ",model=\""
              + escape(v.name())
              + "\",version=\""
              + escape(v.version())
              + "\"}";
      long value = which == 0 ? v.rows() : which == 1 ? v.quarantined() : v.skipped();
      sb.append(name).append(l).append(' ').append(value).append('\n');
    }
  }

  /** Metrics of a failed run. */
  public static String failure(String table, LocalDate ds, int exitCode, Instant ended) {
    String base = labels(table, ds);
    StringBuilder sb = new StringBuilder();
    gauge(sb, "inferlake_run_success", "1 if the run succeeded, 0 if it failed.", base, 0);
    gauge(sb, "inferlake_run_exit_code", "The run's exit code.", base, exitCode);
    gauge(
        sb,
        "inferlake_run_timestamp_seconds",
        "When the run ended (Unix time).",
        base,
        ended.getEpochSecond());
    return sb.toString();
  }

  private static String labels(String table, LocalDate ds) {
    return "{table=\"" + escape(table) + "\",ds=\"" + ds + "\"}";
  }

  private static void header(StringBuilder sb, String name, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
  }

  private static void gauge(
      StringBuilder sb, String name, String help, String labels, double value) {
    header(sb, name, help);
    String v =
        value == Math.rint(value) && Math.abs(value) < 1e15
            ? String.valueOf((long) value)
            : String.format(Locale.ROOT, "%.3f", value);
    sb.append(name).append(labels).append(' ').append(v).append('\n');
  }

  /** Escapes a label value: backslash, double quote and newline. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
