package dev.inferlake.reports;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * What to compare.
 *
 * @param table the prediction table (a Delta path)
 * @param runsTable its runs table; null for the default beside it
 * @param ds the date; null for the latest date in the table
 * @param baseline {@code name:version} (or a version that only one model has) to compare with; null
 *     for the version with the oldest run in the runs table
 * @param reference a date ({@code YYYY-MM-DD}) or a run id whose predictions give {@code
 *     psi_vs_reference}; null for none
 * @param labels where labels come from, to compute accuracy now; null to use the accuracy stored in
 *     the runs table
 * @param rules thresholds; null for {@link Thresholds#DEFAULTS}
 * @param agreementTolerance regressors agree when their predictions differ by at most this
 */
public record ReportRequest(
    String table,
    String runsTable,
    LocalDate ds,
    String baseline,
    String reference,
    Labels labels,
    List<Thresholds.Rule> rules,
    double agreementTolerance) {

  /** Score histogram bins. */
  public static final int HISTOGRAM_BINS = 20;

  public ReportRequest {
    Objects.requireNonNull(table, "table");
    if (runsTable == null) {
      runsTable = RunsTable.defaultPath(table);
    }
    rules = rules == null ? Thresholds.DEFAULTS : List.copyOf(rules);
    if (!(agreementTolerance >= 0)) {
      throw new IllegalArgumentException("agreement tolerance must be >= 0: " + agreementTolerance);
    }
  }

  /** A request with every default. */
  public static ReportRequest of(String table) {
    return new ReportRequest(table, null, null, null, null, null, null, 1e-6);
  }

  public ReportRequest withDs(LocalDate d) {
    return new ReportRequest(
        table, runsTable, d, baseline, reference, labels, rules, agreementTolerance);
  }

  public ReportRequest withBaseline(String b) {
    return new ReportRequest(table, runsTable, ds, b, reference, labels, rules, agreementTolerance);
  }

  public ReportRequest withReference(String r) {
    return new ReportRequest(table, runsTable, ds, baseline, r, labels, rules, agreementTolerance);
  }

  public ReportRequest withLabels(Labels l) {
    return new ReportRequest(
        table, runsTable, ds, baseline, reference, l, rules, agreementTolerance);
  }

  public ReportRequest withRules(List<Thresholds.Rule> r) {
    return new ReportRequest(
        table, runsTable, ds, baseline, reference, labels, r, agreementTolerance);
  }

  public ReportRequest withRunsTable(String r) {
    return new ReportRequest(table, r, ds, baseline, reference, labels, rules, agreementTolerance);
  }

  /**
   * Labels kept apart from the predictions (they often arrive days later).
   *
   * @param path a table with the prediction table's key columns and {@code column}
   * @param format {@code parquet} or {@code delta}
   * @param column the label column
   */
  public record Labels(String path, String format, String column) {
    public Labels {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(column, "column");
      format = format == null ? "parquet" : format;
    }
  }
}
