package dev.inferlake.reports;

/** A report that cannot be made as asked: the message names what is wrong and what to do. */
public final class ReportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whose fault: the request (usage), or the tables it reads (input). */
  public enum Kind {
    USAGE,
    INPUT
  }

  private final Kind kind;

  public ReportException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
