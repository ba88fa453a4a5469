package dev.inferlake.reports;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One row of the runs table: what one run did for one model version. A run writes one per version
 * when it ends, succeeded or failed; a run that is resumed writes again under the same run id, so
 * readers take the latest {@code finishedAt} of a run.
 *
 * @param runId the run's id
 * @param ds the run date
 * @param table the prediction table
 * @param tableVersion the Delta version of the run's last prediction commit; null if it failed
 * @param status {@code succeeded} or {@code failed}
 * @param error for a failed run, its message (the exit code's kind first)
 * @param startedAt when the run started
 * @param finishedAt when it ended
 * @param modelName the model
 * @param modelVersion the version
 * @param modelDigest sha256 of the model bytes
 * @param rowsIn input rows; null when not known (failed runs)
 * @param predicted predictions written for this version; null when not known
 * @param quarantined rows quarantined for this version; null when not known
 * @param skipped rows skipped for this version; null when not known
 * @param wallMillis the run's wall time (shared by its versions: one pass scores them all)
 * @param taskMillis executor time of the run's Spark tasks (shared by its versions)
 * @param batches engine calls made for this version, figures measured on the executors
 * @param model the version's size, loads and device
 * @param sparkAppId the Spark application
 * @param user who ran it
 * @param input the input path
 * @param inferlakeVersion the framework version
 * @param evaluation accuracy against labels, when the job names a label column; else null
 * @param text how the run's text inputs were tokenized and padded (all its text models together);
 *     null when no model reads text
 * @param inputWhere the {@code input.where} predicate the run read its input with, run date filled
 *     in; null when it read every row
 */
public record RunRecord(
    String runId,
    LocalDate ds,
    String table,
    Long tableVersion,
    String status,
    String error,
    Instant startedAt,
    Instant finishedAt,
    String modelName,
    String modelVersion,
    String modelDigest,
    Long rowsIn,
    Long predicted,
    Long quarantined,
    Long skipped,
    long wallMillis,
    Long taskMillis,
    Batches batches,
    ModelCost model,
    String sparkAppId,
    String user,
    String input,
    String inferlakeVersion,
    Evaluation evaluation,
    Text text,
    String inputWhere) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  public RunRecord {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(ds, "ds");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(modelVersion, "modelVersion");
    if (!status.equals(SUCCEEDED) && !status.equals(FAILED)) {
      throw new IllegalArgumentException("status " + status);
    }
  }

  /** A record of a run that read no text. */
  public RunRecord(
      String runId,
      LocalDate ds,
      String table,
      Long tableVersion,
      String status,
      String error,
      Instant startedAt,
      Instant finishedAt,
      String modelName,
      String modelVersion,
      String modelDigest,
      Long rowsIn,
      Long predicted,
      Long quarantined,
      Long skipped,
      long wallMillis,
      Long taskMillis,
      Batches batches,
      ModelCost model,
      String sparkAppId,
      String user,
      String input,
      String inferlakeVersion,
      Evaluation evaluation) {
    this(
        runId,
        ds,
        table,
        tableVersion,
        status,
        error,
        startedAt,
        finishedAt,
        modelName,
        modelVersion,
        modelDigest,
        rowsIn,
        predicted,
        quarantined,
        skipped,
        wallMillis,
        taskMillis,
        batches,
        model,
        sparkAppId,
        user,
        input,
        inferlakeVersion,
        evaluation,
        null,
        null);
  }

  /** A record of a run that read its whole input (no {@code input.where}). */
  public RunRecord(
      String runId,
      LocalDate ds,
      String table,
      Long tableVersion,
      String status,
      String error,
      Instant startedAt,
      Instant finishedAt,
      String modelName,
      String modelVersion,
      String modelDigest,
      Long rowsIn,
      Long predicted,
      Long quarantined,
      Long skipped,
      long wallMillis,
      Long taskMillis,
      Batches batches,
      ModelCost model,
      String sparkAppId,
      String user,
      String input,
      String inferlakeVersion,
      Evaluation evaluation,
      Text text) {
    this(
        runId,
        ds,
        table,
        tableVersion,
        status,
        error,
        startedAt,
        finishedAt,
        modelName,
        modelVersion,
        modelDigest,
        rowsIn,
        predicted,
        quarantined,
        skipped,
        wallMillis,
        taskMillis,
        batches,
        model,
        sparkAppId,
        user,
        input,
        inferlakeVersion,
        evaluation,
        text,
        null);
  }

  /** {@code name:version}. */
  public String label() {
    return modelName + ":" + modelVersion;
  }

  /** Input rows per second of the run's wall time; null when not known. */
  public Double rowsPerSecond() {
    return rowsIn == null || wallMillis <= 0 ? null : rowsIn * 1000.0 / wallMillis;
  }

  /**
   * Engine calls of one version.
   *
   * @param count engine calls
   * @param rows rows sent to the engine
   * @param engineMillis time spent in the engine, all calls
   * @param p50Millis median batch latency
   * @param p95Millis 95th percentile
   * @param p99Millis 99th percentile
   * @param maxMillis the slowest batch
   */
  public record Batches(
      long count,
      long rows,
      double engineMillis,
      double p50Millis,
      double p95Millis,
      double p99Millis,
      double maxMillis) {
    /** Rows per second of engine time: the model's own throughput, apart from I/O. */
    public Double engineRowsPerSecond() {
      return engineMillis <= 0 ? null : rows * 1000.0 / engineMillis;
    }
  }

  /**
   * What a model version costs to ship and hold.
   *
   * @param rawBytes the ONNX model's size
   * @param shippedBytes the package's size as shipped (compressed, maybe encrypted)
   * @param loads loads on executors during the run
   * @param device where it ran ({@code cpu}, {@code cuda:0}; several joined by commas)
   */
  public record ModelCost(long rawBytes, long shippedBytes, long loads, String device) {}

  /**
   * The run's text, as its executors tokenized it.
   *
   * @param truncatedRows texts longer than their tokenizer's max length, cut to it
   * @param positions token positions of the padded input tensors (rows times longest row, summed
   *     over batches)
   * @param padding how many of those positions are padding
   */
  public record Text(long truncatedRows, long positions, long padding) {
    /** Padded positions over all positions; null without any. */
    public Double paddingShare() {
      return positions <= 0 ? null : (double) padding / positions;
    }
  }
}
