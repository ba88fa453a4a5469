package dev.inferlake.driver.cli;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobErrors;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.Report;
import dev.inferlake.reports.ReportBuilder;
import dev.inferlake.reports.ReportRequest;
import dev.inferlake.reports.Thresholds;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferlake report}: compares the model versions of one date of a prediction table. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Compares the model versions scored into a prediction table for one date: throughput,",
      "batch latency and size (from the runs table), accuracy (stored by runs with",
      "evaluate.label, or computed now from --labels), score distributions, PSI against the",
      "baseline and a reference, agreement between versions, and pass/fail thresholds.",
      "Embeddings (the embedding column) are compared with the baseline's by per-key cosine",
      "similarity and nearest-neighbour overlap; array labels give multilabel and per-target",
      "metrics. Writes report.html (self-contained, with charts), report.md and report.json."
    })
public final class ReportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "PATH",
      description = "The prediction table (Delta).")
  String table;

  @Option(
      names = "--ds",
      paramLabel = "YYYY-MM-DD",
      description = "The date to compare (default: the latest in the table).")
  String ds;

  @Option(
      names = "--baseline",
      paramLabel = "NAME:VERSION",
      description = {
        "The version the others are compared with (a bare version if only one model has it;",
        "default: the version with the oldest run in the runs table)."
      })
  String baseline;

  @Option(
      names = "--reference",
      paramLabel = "DATE|RUN_ID",
      description = "A date or run id of the same table to compute psi_vs_reference against.")
  String reference;

  @Option(
      names = "--labels",
      paramLabel = "PATH",
      description = "Labels to compute accuracy from now: a table with the key columns.")
  String labels;

  @Option(
      names = "--labels-format",
      paramLabel = "FORMAT",
      defaultValue = "parquet",
      description = "parquet or delta (default: ${DEFAULT-VALUE}).")
  String labelsFormat;

  @Option(
      names = "--label-column",
      paramLabel = "COLUMN",
      defaultValue = "label",
      description = "The label column in --labels (default: ${DEFAULT-VALUE}).")
  String labelColumn;

  @Option(
      names = "--runs-table",
      paramLabel = "PATH",
      description = "The runs table (default: the table's path + _runs).")
  String runsTable;

  @Option(
      names = "--threshold",
      paramLabel = "RULE",
      description = {
        "A pass/fail rule, metric<=value (or >=, <, >), e.g. psi_vs_baseline<=0.1 or",
        "accuracy_delta>=-0.005; repeatable, replaces the defaults: "
            + "psi_vs_baseline<=0.25, psi_vs_reference<=0.25, accuracy_delta>=-0.01,",
        "roc_auc_delta>=-0.01, r2_delta>=-0.01."
      })
  List<String> thresholds = new ArrayList<>();

  @Option(
      names = "--agreement-tolerance",
      paramLabel = "X",
      defaultValue = "1e-6",
      description =
          "Regressors agree when predictions differ by at most X (default: ${DEFAULT-VALUE}).")
  double agreementTolerance;

  @picocli.CommandLine.Mixin StatusFileOption statusFile;

  @Option(
      names = "--out",
      paramLabel = "DIR|URI",
      defaultValue = "report",
      description =
          "Where to write the report: a local folder or a Hadoop URI (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(
      names = "--fail-on-threshold",
      description = "Exit 6 when a version fails a threshold (the report is written first).")
  boolean failOnThreshold;

  @Override
  public Integer call() {
    List<Thresholds.Rule> rules = null;
    if (!thresholds.isEmpty()) {
      rules = new ArrayList<>();
      for (String t : thresholds) {
        rules.add(Thresholds.parse(t));
      }
    }
    if (!List.of("parquet", "delta").contains(labelsFormat)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--labels-format must be parquet or delta, not " + labelsFormat);
    }
    if (!(agreementTolerance >= 0)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--agreement-tolerance must be >= 0");
    }
    LocalDate date = null;
    if (ds != null) {
      try {
        date = LocalDate.parse(ds);
      } catch (DateTimeParseException e) {
        throw JobErrors.badDate(ds);
      }
    }
    ReportRequest request =
        new ReportRequest(
            table,
            runsTable,
            date,
            baseline,
            reference,
            labels == null ? null : new ReportRequest.Labels(labels, labelsFormat, labelColumn),
            rules,
            agreementTolerance);
    Report report = new ReportBuilder(SparkSessions.getOrCreate("inferlake report")).build(request);
    String html = dev.inferlake.driver.job.ReportOutput.write(report, out);
    var o = spec.commandLine().getOut();
    o.printf(
        Locale.ROOT,
        "report for %s ds=%s (Delta version %d), baseline %s%n",
        report.table(),
        report.ds(),
        report.tableVersion(),
        report.baseline());
    for (Report.VersionReport v : report.versions()) {
      List<String> failed =
          v.checks().stream()
              .filter(c -> c.outcome() == Thresholds.Outcome.FAIL)
              .map(c -> String.format(Locale.ROOT, "%s (was %.4f)", c.rule(), c.value()))
              .toList();
      o.printf(
          Locale.ROOT,
          "  %-24s %s%s%n",
          v.label(),
          failed.isEmpty() ? "pass" : "FAIL",
          failed.isEmpty() ? "" : ": " + String.join(", ", failed));
    }
    o.printf(
        "  %s%n  %s%n  %s%n",
        html,
        html.replaceFirst("report\\.html$", "report.md"),
        html.replaceFirst("report\\.html$", "report.json"));
    o.flush();
    if (failOnThreshold && !report.passed()) {
      throw new InferlakeException(
          ErrorKind.THRESHOLD,
          "report: "
              + report.versions().stream().filter(v -> !v.passed()).count()
              + " version(s) failed their thresholds; see "
              + html);
    }
    return 0;
  }
}
