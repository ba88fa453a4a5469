package dev.inferlake.executors.internal;

import dev.inferlake.executors.KeyColumn;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * The key columns of one batch, held until the batch's prediction rows are emitted. Primitive keys
 * sit in primitive arrays (no boxing per row); others are copied, since a scan reuses its rows.
 *
 * <p>Not thread-safe: one per task.
 */
final class KeySlots {
  private enum Kind {
    BOOLEAN,
    BYTE,
    SHORT,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    OBJECT
  }

  private final KeyColumn[] keys;
  private final Kind[] kinds;
  private final long[][] primitive;
  private final Object[][] objects;

  KeySlots(KeyColumn[] keys, int batchSize) {
    this.keys = keys;
    this.kinds = new Kind[keys.length];
    this.primitive = new long[keys.length][];
    this.objects = new Object[keys.length][];
    for (int j = 0; j < keys.length; j++) {
      kinds[j] = kindOf(keys[j].type());
      if (kinds[j] == Kind.OBJECT) {
        objects[j] = new Object[batchSize];
      } else {
        primitive[j] = new long[batchSize];
      }
    }
  }

  private static Kind kindOf(DataType t) {
    if (t instanceof BooleanType) {
      return Kind.BOOLEAN;
    } else if (t instanceof ByteType) {
      return Kind.BYTE;
    } else if (t instanceof ShortType) {
      return Kind.SHORT;
    } else if (t instanceof IntegerType || t instanceof DateType) {
      return Kind.INT;
    } else if (t instanceof LongType
        || t instanceof TimestampType
        || t instanceof TimestampNTZType) {
      return Kind.LONG;
    } else if (t instanceof FloatType) {
      return Kind.FLOAT;
    } else if (t instanceof DoubleType) {
      return Kind.DOUBLE;
    }
    return Kind.OBJECT;
  }

  /** Keeps {@code row}'s keys in batch slot {@code slot}. Null keys were rejected before. */
  void keep(InternalRow row, int slot) {
    for (int j = 0; j < keys.length; j++) {
      int o = keys[j].ordinal();
      if (row.isNullAt(o)) {
        if (kinds[j] == Kind.OBJECT) {
          objects[j][slot] = null;
        }
        continue;
      }
      switch (kinds[j]) {
        case BOOLEAN -> primitive[j][slot] = row.getBoolean(o) ? 1 : 0;
        case BYTE -> primitive[j][slot] = row.getByte(o);
        case SHORT -> primitive[j][slot] = row.getShort(o);
        case INT -> primitive[j][slot] = row.getInt(o);
        case LONG -> primitive[j][slot] = row.getLong(o);
        case FLOAT -> primitive[j][slot] = Float.floatToRawIntBits(row.getFloat(o));
        case DOUBLE -> primitive[j][slot] = Double.doubleToRawLongBits(row.getDouble(o));
        case OBJECT -> objects[j][slot] = ScoringIterator.copyOf(row.get(o, keys[j].type()));
      }
    }
  }

  /** Writes slot {@code slot}'s keys into fields {@code 0..keys-1} of {@code out}. */
  void writeTo(SpecificInternalRow out, int slot) {
    for (int j = 0; j < keys.length; j++) {
      long v = kinds[j] == Kind.OBJECT ? 0 : primitive[j][slot];
      switch (kinds[j]) {
        case BOOLEAN -> out.setBoolean(j, v != 0);
        case BYTE -> out.setByte(j, (byte) v);
        case SHORT -> out.setShort(j, (short) v);
        case INT -> out.setInt(j, (int) v);
        case LONG -> out.setLong(j, v);
        case FLOAT -> out.setFloat(j, Float.intBitsToFloat((int) v));
        case DOUBLE -> out.setDouble(j, Double.longBitsToDouble(v));
        case OBJECT -> out.update(j, objects[j][slot]);
      }
    }
  }
}
