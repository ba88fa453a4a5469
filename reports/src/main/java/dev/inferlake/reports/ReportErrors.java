package dev.inferlake.reports;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/**
 * Every user-facing message of the reports module, built in one place. Package-private: the classes
 * that throw them live in this package, so {@code internal} needs none of it.
 */
final class ReportErrors {
  private ReportErrors() {}

  static InferlakeException notDeltaTable(String table) {
    return new InferlakeException(
        ErrorKind.INPUT, "report: no Delta table at " + table + ": is it a prediction table?");
  }

  static InferlakeException notPredictionTable(String table, List<String> columns) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "report: " + table + " is not a prediction table: its columns are " + columns);
  }

  static InferlakeException noPredictionsYet(String table) {
    return new InferlakeException(
        ErrorKind.USAGE, "report: " + table + " holds no predictions yet");
  }

  static InferlakeException noPredictionsFor(String table, LocalDate ds) {
    return new InferlakeException(
        ErrorKind.USAGE, "report: no predictions in " + table + " for ds=" + ds);
  }

  static InferlakeException unknownBaseline(
      String baseline, boolean ambiguous, Collection<String> versions) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "report: baseline '"
            + baseline
            + "' is "
            + (ambiguous ? "ambiguous among" : "not among")
            + " the versions of this date: "
            + versions);
  }

  static InferlakeException labelsLackKey(String path, String key, List<String> keys) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "report: labels at " + path + " have no key column '" + key + "' (keys: " + keys + ")");
  }

  static InferlakeException labelsLackColumn(String path, String column) {
    return new InferlakeException(
        ErrorKind.INPUT, "report: labels at " + path + " have no column '" + column + "'");
  }

  // A rule's own text says what it is, and a job spec adds the key it was read from: no prefix.

  static InferlakeException thresholdForm(String text) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "threshold '"
            + text
            + "' is not of the form metric<=value (or >=, <, >), e.g. psi_vs_baseline<=0.2");
  }

  static InferlakeException thresholdMetric(String text, String metric) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "threshold '"
            + text
            + "' names an unknown metric '"
            + metric
            + "'; metrics are "
            + String.join(", ", ReportMetrics.NAMES)
            + " (each also with _delta, against the baseline)");
  }
}
