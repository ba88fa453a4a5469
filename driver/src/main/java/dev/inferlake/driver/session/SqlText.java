package dev.inferlake.driver.session;

/**
 * Values placed into Spark SQL text, escaped so that no value can end the literal or identifier it
 * stands in: paths, comments and names that come from users, tables or commit metadata.
 */
public final class SqlText {
  private SqlText() {}

  /**
   * A string literal: {@code 'value'} with backslashes and quotes escaped (Spark SQL reads {@code
   * \\} and {@code \'} inside single quotes).
   */
  public static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A quoted identifier, e.g. a path in {@code delta.`...`}: backticks doubled. */
  public static String identifier(String value) {
    return "`" + value.replace("`", "``") + "`";
  }
}
