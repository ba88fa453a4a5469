package dev.inferlake.driver.cli;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobErrors;
import dev.inferlake.driver.job.JobFiles;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.ReportOutput;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.PrometheusText;
import dev.inferlake.reports.RunSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferlake run}: runs a job spec. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Scores the job's input with every model version in it and writes the predictions for",
      "the run date to the output Delta table, replacing that date's rows of those versions."
    })
public final class RunCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin JobOptions job;

  @Mixin StatusFileOption statusFile;

  @Option(
      names = "--ds",
      paramLabel = "YYYY-MM-DD",
      description = {
        "Run date; its partition is replaced on rerun (default: today, UTC). It fills",
        "$${ds}, $${ds_nodash}, $${prev_ds} and $${next_ds} in input.path and input.where."
      })
  String ds;

  @Option(
      names = "--metrics-file",
      paramLabel = "FILE|URI",
      description = {
        "Write the run's metrics here in Prometheus text format (atomically; also on failure,",
        "with inferlake_run_success 0), e.g. for node exporter's textfile collector; a local",
        "path or a Hadoop URI."
      })
  String metricsFile;

  @Option(
      names = "--report",
      paramLabel = "DIR|URI",
      description = {
        "Write report.html, report.md and report.json here when the run has committed",
        "(the same as --set report.out=DIR; the job's report section sets baseline and thresholds)."
      })
  String report;

  @Option(
      names = "--progress-every",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "Print a progress line this often while scoring; 0 prints only the last (default: ${DEFAULT-VALUE}).")
  double progressEvery;

  @Override
  public Integer call() {
    List<String> extra = new ArrayList<>();
    if (report != null) {
      extra.add("report.out=" + (JobFiles.isUri(report) ? report : JobFiles.display(report)));
    }
    JobSpec jobSpec = job.load(extra);
    LocalDate date = parseDs(ds, Clock.systemUTC());
    if (progressEvery < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--progress-every must be >= 0");
    }
    RunSummary summary;
    try {
      summary =
          new ScoringJob(
                  SparkSessions.forJob("inferlake run " + job.fileName(), jobSpec),
                  Clock.systemUTC())
              .withProgress(
                  spec.commandLine().getErr(), Duration.ofMillis((long) (progressEvery * 1000)))
              .run(jobSpec, date);
    } catch (RuntimeException e) {
      if (metricsFile != null) {
        InferlakeException ie = InferlakeException.findIn(e);
        int code = ie == null ? ErrorKind.RUN.exitCode() : ie.kind().exitCode();
        writeMetrics(PrometheusText.failure(jobSpec.output().table(), date, code, Instant.now()));
      }
      throw e;
    }
    if (metricsFile != null) {
      writeMetrics(PrometheusText.success(summary, Instant.now()));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(summary.render());
    if (jobSpec.onInvalidOrDefault() == dev.inferlake.executors.OnInvalid.QUARANTINE) {
      out.println("  quarantine " + jobSpec.output().quarantineTableOrDefault());
    }
    out.println("  runs table " + jobSpec.output().runsTableOrDefault());
    if (jobSpec.report() != null) {
      String dir = jobSpec.report().outFor(date);
      String outcome = ReportOutput.thresholdOutcome(dir);
      out.println(
          outcome != null
              ? "  report " + ReportOutput.html(dir) + " (" + outcome + ")"
              : "  no report: see the error in the log above");
    }
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Writes beside the target and renames, as textfile collectors require. */
  private void writeMetrics(String text) {
    try {
      JobFiles.writeAtomically(metricsFile, text);
    } catch (IOException e) {
      throw new InferlakeException(
          ErrorKind.RUN,
          "writing metrics to " + JobFiles.display(metricsFile) + " failed: " + e,
          e);
    }
  }

  static LocalDate parseDs(String value, Clock clock) {
    if (value == null) {
      return LocalDate.now(clock);
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      // well formed, but no such day (2026-02-30): say so rather than "not a date"
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})").matcher(value);
      if (m.matches()) {
        int month = Integer.parseInt(m.group(2));
        if (month >= 1 && month <= 12) {
          throw JobErrors.dayNotInCalendar(
              value, java.time.YearMonth.of(Integer.parseInt(m.group(1)), month));
        }
      }
      throw JobErrors.badDate(value);
    }
  }
}
