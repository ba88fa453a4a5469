package dev.inferlake.driver.job;

import dev.inferlake.driver.sink.PredictionSink;
import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.Evaluator;
import dev.inferlake.reports.Report;
import dev.inferlake.reports.ReportBuilder;
import dev.inferlake.reports.ReportRequest;
import dev.inferlake.reports.RunRecord;
import dev.inferlake.reports.RunSummary;
import dev.inferlake.reports.RunsTable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a commit: accuracy against labels, the runs-table rows, the report. The predictions
 * are committed by now, so a failure here is logged as an error, not thrown: the run did what it
 * was for.
 */
final class AfterCommit {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringJob.RUN_LOGGER);

  private final SparkSession spark;
  private final JobSpec spec;
  private final LocalDate ds;

  AfterCommit(SparkSession spark, JobSpec spec, LocalDate ds) {
    this.spark = spark;
    this.spec = spec;
    this.ds = ds;
  }

  void run(
      PredictionSink sink,
      PredictionSink.Commit last,
      RunSummary summary,
      RunRecords records,
      Instant end,
      JobInput input) {
    run(sink, last, summary, records, end, input, null);
  }

  /**
   * @param inline the counts taken while scoring, or null: the accuracy is then computed by joining
   *     the committed predictions with the labels
   */
  void run(
      PredictionSink sink,
      PredictionSink.Commit last,
      RunSummary summary,
      RunRecords records,
      Instant end,
      JobInput input,
      InlineEvaluation inline) {
    Map<String, Evaluation> evaluations = evaluate(sink, last, summary, input, inline);
    String runsTable = spec.output().runsTableOrDefault();
    long t0 = System.nanoTime();
    try {
      List<RunRecord> rows = records.succeeded(summary, end, evaluations);
      RunsTable.append(spark, runsTable, rows);
      LOG.info(
          "run {}: {} row(s) added to the runs table {} in {} ms",
          summary.runId(),
          rows.size(),
          runsTable,
          millisSince(t0));
    } catch (RuntimeException e) {
      LOG.error(
          "run {}: committed, but its rows could not be added to the runs table {}",
          summary.runId(),
          runsTable,
          e);
    }
    if (spec.report() != null) {
      report(summary, runsTable);
    }
  }

  private Map<String, Evaluation> evaluate(
      PredictionSink sink,
      PredictionSink.Commit last,
      RunSummary summary,
      JobInput input,
      InlineEvaluation inline) {
    String label = input.labelColumn();
    if (label == null) {
      return Map.of();
    }
    long t0 = System.nanoTime();
    if (inline != null) {
      Map<String, Evaluation> counted = inline.evaluations(label);
      if (counted != null) {
        LOG.info(
            "run {}: accuracy against '{}' counted while scoring, merged in {} ms",
            summary.runId(),
            label,
            millisSince(t0));
        return counted;
      }
      LOG.warn(
          "run {}: some scored partition's label counts did not come back; joining the committed"
              + " predictions with '{}' instead",
          summary.runId(),
          label);
    }
    try {
      Map<String, Evaluation> evaluations =
          Evaluator.evaluate(
              sink.committed(summary.runId(), last), input.labels(spec), spec.input().key(), label);
      LOG.info(
          "run {}: accuracy against '{}' computed in {} ms",
          summary.runId(),
          label,
          millisSince(t0));
      return evaluations;
    } catch (RuntimeException e) {
      LOG.error(
          "run {}: committed, but its accuracy against '{}' could not be computed",
          summary.runId(),
          label,
          e);
      return Map.of();
    }
  }

  private void report(RunSummary summary, String runsTable) {
    String dir = spec.report().outFor(ds);
    long t0 = System.nanoTime();
    try {
      Report report =
          new ReportBuilder(spark)
              .build(
                  ReportRequest.of(summary.table())
                      .withRunsTable(runsTable)
                      .withDs(ds)
                      .withBaseline(
                          spec.report().baseline() != null
                              ? spec.report().baseline()
                              : spec.models().get(0).label())
                      .withReference(spec.report().reference())
                      .withRules(spec.thresholdRules()));
      String html = ReportOutput.write(report, dir);
      LOG.info(
          "run {}: report {} in {} ms ({})",
          summary.runId(),
          html,
          millisSince(t0),
          report.passed() ? "every version passed its thresholds" : "some version FAILED");
    } catch (RuntimeException e) {
      LOG.error("run {}: committed, but the report to {} failed", summary.runId(), dir, e);
    }
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
