package dev.inferlake.executors;

import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;

/**
 * Spark column types a model input can be filled from: the numbers, and booleans (for bool inputs).
 */
public enum NumericType {
  FLOAT,
  DOUBLE,
  INT,
  LONG,
  SHORT,
  BYTE,
  BOOLEAN;

  /** The type of a Spark type, or {@code null} when it is not one we can feed. */
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
    } else if (t instanceof BooleanType) {
      return BOOLEAN;
    }
    return null;
  }

  /** Whether the type holds whole numbers: int, long, short or byte. */
  public boolean isInteger() {
    return switch (this) {
      case INT, LONG, SHORT, BYTE -> true;
      case FLOAT, DOUBLE, BOOLEAN -> false;
    };
  }
}
