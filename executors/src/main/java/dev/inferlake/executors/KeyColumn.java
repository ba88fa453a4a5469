package dev.inferlake.executors;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;

/**
 * A key column copied from each input row to its prediction rows.
 *
 * @param name column name
 * @param ordinal position in the rows the scorer receives
 * @param type Spark type
 */
public record KeyColumn(String name, int ordinal, DataType type) implements Serializable {}
