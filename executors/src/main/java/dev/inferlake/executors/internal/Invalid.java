package dev.inferlake.executors.internal;

/**
 * Why one row cannot feed one model input. Made only for invalid rows, so valid rows allocate
 * nothing.
 *
 * @param reason a stable code, stored in the quarantine table
 * @param column the column (with {@code [i]} for an array element, {@code [i][j]} in nested arrays)
 * @param detail the rejected value, summarized
 */
public record Invalid(Reason reason, String column, String detail) {

  /** Stable reason codes. */
  public enum Reason {
    NULL_KEY("null_key"),
    NULL_VALUE("null_value"),
    NOT_FINITE("not_finite"),
    WRONG_LENGTH("wrong_length"),
    /**
     * A value the input's element type cannot hold exactly: a fraction, or beyond its precision.
     */
    NOT_EXACT("not_exact"),
    /** A value outside the input type's range, or outside the vocabulary the package declares. */
    OUT_OF_RANGE("out_of_range"),
    /** Bytes of an image column that no reader decodes: corrupt, truncated, or not a picture. */
    UNDECODABLE("undecodable"),
    /** A picture whose header declares more pixels than the limit; never decoded. */
    TOO_LARGE("too_large");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The code stored in the quarantine table's {@code reason} column. */
    public String code() {
      return code;
    }
  }

  /** This finding, about {@code prefix} followed by its column (which may be empty). */
  Invalid under(String prefix) {
    return new Invalid(reason, prefix + column, detail);
  }
}
