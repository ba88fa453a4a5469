package dev.inferlake.executors;

import java.io.Serializable;

/**
 * One input column feeding a model input.
 *
 * @param name the column name, for messages
 * @param ordinal the column's position in the rows the scorer receives
 * @param array true for an array column holding all of a row's values, false for a scalar column
 *     holding one
 * @param type the numeric type of the column (of its elements, for an array)
 * @param elementsMayBeNull for an array column, whether the schema allows null elements
 */
public record ColumnBinding(
    String name, int ordinal, boolean array, NumericType type, boolean elementsMayBeNull)
    implements Serializable {}
