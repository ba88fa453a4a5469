package dev.inferlake.model;

import java.util.Objects;

/**
 * The one unchecked exception for failures a user must act on. The message is a single line saying
 * what failed and where (column, model, file); the kind decides the exit code.
 *
 * <p>It is serializable so that a failure raised inside a Spark task reaches the driver intact.
 */
public class InferlakeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public InferlakeException(ErrorKind kind, String message) {
    this(kind, message, null);
  }

  public InferlakeException(ErrorKind kind, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public ErrorKind kind() {
    return kind;
  }

  /**
   * Finds the first {@code InferlakeException} in a cause chain, e.g. one thrown in a Spark task
   * and wrapped by the scheduler's {@code SparkException}.
   *
   * @return the exception, or {@code null} when the chain holds none
   */
  public static InferlakeException findIn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InferlakeException) {
        return (InferlakeException) c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** The most specific message in a cause chain, on one line. */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.lines().findFirst().orElse(m).trim();
  }
}
