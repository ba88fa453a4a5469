package dev.inferlake.executors;

import java.io.Serializable;

/**
 * One input column feeding a model input.
 *
 * @param name the column name, for messages
 * @param ordinal the column's position in the rows the scorer receives
 * @param depth 0 for a scalar column holding one value; 1 for an array column holding all of a
 *     row's values, row-major; {@code k > 1} for arrays nested {@code k} deep, one level per
 *     dimension after the batch
 * @param type the type of the column (of its innermost elements, for an array)
 * @param elementsMayBeNull for an array column, whether the schema allows null elements (at any
 *     level)
 */
public record ColumnBinding(
    String name, int ordinal, int depth, NumericType type, boolean elementsMayBeNull)
    implements Serializable {

  public ColumnBinding {
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be >= 0, was " + depth);
    }
  }

  /** A scalar ({@code array == false}) or flat array column. */
  public ColumnBinding(
      String name, int ordinal, boolean array, NumericType type, boolean elementsMayBeNull) {
    this(name, ordinal, array ? 1 : 0, type, elementsMayBeNull);
  }

  /** Whether the column is an array (flat or nested) rather than one scalar. */
  public boolean array() {
    return depth > 0;
  }
}
