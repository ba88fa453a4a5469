package dev.inferlake.driver.job;

import dev.inferlake.driver.Versions;
import dev.inferlake.driver.sink.PredictionSink;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.VersionBatches;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.RunRecord;
import dev.inferlake.reports.RunSummary;
import dev.inferlake.reports.RunsTable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * A run's summary and its rows in the runs table, one per model version, succeeded or failed:
 * counts, times, engine batch latencies, model cost and accuracy. Built from what the run found out
 * so far, so a run that fails halfway still leaves rows saying how far it got.
 */
final class RunRecords {
  private final SparkSession spark;
  private final JobSpec spec;
  private final LocalDate ds;
  private final RunState state;

  RunRecords(SparkSession spark, JobSpec spec, LocalDate ds, RunState state) {
    this.spark = spark;
    this.spec = spec;
    this.ds = ds;
    this.state = state;
  }

  /** What a run has found out so far, for its runs-table rows. */
  static final class RunState {
    final Instant start;
    final ScoringMetrics metrics;
    String runId;
    List<ResolvedModel> models;
    TaskTime taskTime;
    String input;

    RunState(Instant start, ScoringMetrics metrics) {
      this.start = start;
      this.metrics = metrics;
    }
  }

  /** The rows of a run that committed. */
  List<RunRecord> succeeded(RunSummary summary, Instant end, Map<String, Evaluation> evaluations) {
    return succeeded(summary, end, evaluations, Map.of());
  }

  /**
   * The rows of a run that committed, with input rows per version ({@code name:version}) where they
   * differ from the summary's (an incremental run's versions read different rows).
   */
  List<RunRecord> succeeded(
      RunSummary summary,
      Instant end,
      Map<String, Evaluation> evaluations,
      Map<String, Long> rowsInPerVersion) {
    List<RunRecord> records = new ArrayList<>();
    for (ResolvedModel m : state.models) {
      String label = m.spec().label();
      RunSummary.VersionRows rows =
          summary.versions().stream()
              .filter(v -> (v.name() + ":" + v.version()).equals(label))
              .findFirst()
              .orElseThrow();
      records.add(
          record(
              m,
              end,
              RunRecord.SUCCEEDED,
              null,
              summary.tableVersion(),
              rowsInPerVersion.getOrDefault(label, summary.inputRows()),
              rows,
              evaluations.get(label)));
    }
    return records;
  }

  /** Best effort: a failed run's rows in the runs table, without hiding the failure. */
  void appendFailure(Instant end, RuntimeException e) {
    InferlakeException ie = InferlakeException.findIn(e);
    String error =
        ie == null
            ? "RUN: " + e
            : ie.kind() + " (exit " + ie.kind().exitCode() + "): " + ie.getMessage();
    try {
      List<RunRecord> records = new ArrayList<>();
      for (ResolvedModel m : state.models) {
        records.add(record(m, end, RunRecord.FAILED, error, null, null, null, null));
      }
      RunsTable.append(spark, spec.output().runsTableOrDefault(), records);
    } catch (RuntimeException suppressed) {
      e.addSuppressed(suppressed);
      org.slf4j.LoggerFactory.getLogger(ScoringJob.RUN_LOGGER)
          .warn(
              "run {}: could not record the failure in the runs table: {}",
              state.runId,
              suppressed.toString());
    }
  }

  private RunRecord record(
      ResolvedModel m,
      Instant end,
      String status,
      String error,
      Long tableVersion,
      Long rowsIn,
      RunSummary.VersionRows rows,
      Evaluation evaluation) {
    String label = m.spec().label();
    VersionBatches b = state.metrics.batches().get(label);
    return new RunRecord(
        state.runId,
        ds,
        spec.output().table(),
        tableVersion,
        status,
        error,
        state.start,
        end,
        m.spec().name(),
        m.spec().version(),
        m.manifest().sha256(),
        rowsIn,
        rows == null ? null : rows.rows(),
        rows == null ? null : rows.quarantined(),
        rows == null ? null : rows.skipped(),
        Duration.between(state.start, end).toMillis(),
        state.taskTime == null ? null : state.taskTime.millis(),
        batches(b),
        new RunRecord.ModelCost(
            m.manifest().rawBytes(),
            m.manifest().packedBytes(),
            state.metrics.loadsPerVersion().getOrDefault(label, 0L),
            b == null ? "none" : String.join(",", b.devices())),
        spark.sparkContext().applicationId(),
        System.getProperty("user.name"),
        state.input,
        Versions.inferlake(),
        evaluation,
        state.metrics.textPositions() > 0 || state.metrics.textTruncatedRows() > 0
            ? new RunRecord.Text(
                state.metrics.textTruncatedRows(),
                state.metrics.textPositions(),
                state.metrics.textPadding())
            : null,
        spec.input().where());
  }

  private static RunRecord.Batches batches(VersionBatches b) {
    return b == null
        ? null
        : new RunRecord.Batches(
            b.batches(),
            b.rows(),
            b.latency().sumNanos() / 1e6,
            b.latency().quantileNanos(0.50) / 1e6,
            b.latency().quantileNanos(0.95) / 1e6,
            b.latency().quantileNanos(0.99) / 1e6,
            b.latency().maxNanos() / 1e6);
  }

  /**
   * The run's summary, counted from what {@code sink} committed (a resumed run's earlier chunks
   * included).
   */
  RunSummary summary(String runId, Duration wall, PredictionSink sink, PredictionSink.Commit last) {
    PredictionSink.Written w = sink.written(runId, last);
    long rowsIn =
        w.rowsIn() >= 0
            ? w.rowsIn()
            : w.predicted().values().stream().mapToLong(Long::longValue).max().orElse(0);
    boolean skipping = spec.onInvalidOrDefault() == OnInvalid.SKIP;
    List<RunSummary.VersionRows> versions = new ArrayList<>();
    for (ResolvedModel m : state.models) {
      String label = m.spec().label();
      versions.add(
          new RunSummary.VersionRows(
              m.spec().name(),
              m.spec().version(),
              m.manifest().sha256(),
              w.predicted().getOrDefault(label, 0L),
              w.quarantined().getOrDefault(label, 0L),
              skipping ? w.invalid().getOrDefault(label, 0L) : 0L));
    }
    return summary(runId, wall, sink.table(), last.predictionVersion(), rowsIn, versions);
  }

  /** A run's summary from its counts, with the model loads its tasks recorded. */
  RunSummary summary(
      String runId,
      Duration wall,
      String table,
      long tableVersion,
      long rowsIn,
      List<RunSummary.VersionRows> versions) {
    ScoringMetrics metrics = state.metrics;
    RunSummary.ModelLoads loads =
        new RunSummary.ModelLoads(
            metrics.loads(),
            metrics.hits(),
            metrics.loadMillis(),
            metrics.loadedBytes(),
            metrics.loadsPerExecutor(),
            state.models.stream().mapToLong(m -> m.manifest().packedBytes()).sum());
    return new RunSummary(runId, ds, table, tableVersion, wall, rowsIn, versions, loads);
  }
}
