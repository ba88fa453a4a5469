package dev.inferlake.executors;

import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;

/** Spark numeric types a float tensor can be filled from. */
public enum NumericType {
  FLOAT,
  DOUBLE,
  INT,
  LONG,
  SHORT,
  BYTE;

  /** The numeric type of a Spark type, or {@code null} when it is not one we can feed. */
  public static NumericType of(DataType t) {
    if (t instanceof FloatType) {
      return FLOAT;
    } else if (t instanceof DoubleType) {
      return DOUBLE;
    } else if (t instanceof IntegerType) {
      return INT;
    } else if (t instanceof LongType) {
      return LONG;
    } else if (t instanceof ShortType) {
      return SHORT;
    } else if (t instanceof ByteType) {
      return BYTE;
    }
    return null;
  }
}
