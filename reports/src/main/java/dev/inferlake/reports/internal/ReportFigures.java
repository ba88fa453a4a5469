package dev.inferlake.reports.internal;

import dev.inferlake.reports.RunRecord;
import java.util.Locale;

/** How the report writes its figures, the same in its tables and its charts. */
public final class ReportFigures {
  /**
   * Fewer engine batches than this behind a version's latency percentiles and engine rate make them
   * too noisy to compare with another version's: the report marks them.
   */
  public static final int MIN_BATCHES = 20;

  private ReportFigures() {}

  /**
   * What to say next to a run's latency and engine rate when its batches are too few to compare
   * ({@code "4 batches: not comparable"}); null when they are enough or unknown.
   */
  public static String batchNote(RunRecord run) {
    if (run == null || run.batches() == null || run.batches().count() >= MIN_BATCHES) {
      return null;
    }
    long n = run.batches().count();
    return n + (n == 1 ? " batch" : " batches") + ": not comparable";
  }

  /**
   * A metric's value as the report's metric table writes it: rates, bytes and counts in whole
   * units, milliseconds to two places, ratios and errors to four.
   *
   * @param delta whether it is a difference against the baseline (signed)
   */
  public static String metric(String name, double x, boolean delta) {
    String sign = delta ? "+" : "";
    String pattern;
    if (name.endsWith("_per_s") || name.endsWith("_bytes") || Math.abs(x) >= 1000) {
      pattern = "%" + sign + ",.0f";
    } else if (name.endsWith("_ms")) {
      pattern = "%" + sign + ",.2f";
    } else {
      pattern = "%" + sign + ".4f";
    }
    return String.format(Locale.ROOT, pattern, x);
  }
}
