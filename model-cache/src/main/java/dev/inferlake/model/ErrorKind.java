package dev.inferlake.model;

/**
 * What kind of failure an {@link InferlakeException} reports; each kind has the process exit code
 * documented in the README.
 */
public enum ErrorKind {
  /** Bad command line or job spec. */
  USAGE(2),
  /** The input data does not fit the job: missing column, wrong type, wrong array length. */
  INPUT(3),
  /** A model cannot be read, verified or run. */
  MODEL(4),
  /** The run itself failed (Spark job, Delta write). */
  RUN(5),
  /** A report found a model version that fails its thresholds (when asked to gate on them). */
  THRESHOLD(6);

  private final int exitCode;

  ErrorKind(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The process exit code for this kind of failure. */
  public int exitCode() {
    return exitCode;
  }
}
