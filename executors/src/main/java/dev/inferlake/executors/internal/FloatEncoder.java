package dev.inferlake.executors.internal;

import dev.inferlake.executors.ColumnBinding;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * Copies one model input's values from Spark rows into a reusable staging array, one row per call,
 * each value read with a primitive accessor (no boxing); a float array column in Spark's unsafe
 * layout is copied in bulk. {@link #flush} then moves the whole batch into the direct buffer the
 * runner reads, in one bulk copy.
 *
 * <p>Values a model cannot take (nulls, NaN, infinities, a wrong array length) are reported, not
 * written.
 *
 * <p>Not thread-safe: one per task.
 */
final class FeatureEncoder {
  private final InputBinding binding;
  private final String model;
  private final ColumnBinding[] columns;
  private final int perRow;
  private final FloatBuffer buffer;
  private final float[] staging;

  FeatureEncoder(InputBinding binding, String model, int batchSize) {
    this.binding = binding;
    this.model = model;
    this.columns = binding.columns().toArray(new ColumnBinding[0]);
    this.perRow = binding.elementsPerRow();
    this.buffer =
        ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(batchSize, perRow), 4))
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    this.staging = new float[batchSize * perRow];
  }

  /** Moves the first {@code rows} encoded examples into {@link #buffer()}. */
  void flush(int rows) {
    buffer.put(0, staging, 0, rows * perRow);
  }

  /** The buffer the encoded batch lives in, shared with the runner. */
  FloatBuffer buffer() {
    return buffer;
  }

  /**
   * Writes {@code row}'s values as example {@code index} of the batch.
   *
   * @return null when the row fits; otherwise why not (the example's slot then holds no meaningful
   *     values)
   */
  Invalid encode(InternalRow row, int index) {
    int base = index * perRow;
    if (binding.isArray()) {
      return encodeArray(row, base);
    }
    for (int j = 0; j < columns.length; j++) {
      ColumnBinding c = columns[j];
      int ord = c.ordinal();
      if (row.isNullAt(ord)) {
        return new Invalid(Invalid.Reason.NULL_VALUE, c.name(), "null");
      }
      float v;
      switch (c.type()) {
        case FLOAT -> {
          v = row.getFloat(ord);
          if (!Float.isFinite(v)) {
            return notFinite(c.name(), v);
          }
        }
        case DOUBLE -> {
          double d = row.getDouble(ord);
          v = (float) d;
          if (!Float.isFinite(v)) {
            return notFinite(c.name(), d);
          }
        }
        case INT -> v = row.getInt(ord);
        case LONG -> v = row.getLong(ord);
        case SHORT -> v = row.getShort(ord);
        case BYTE -> v = row.getByte(ord);
        default -> throw new IllegalStateException(c.type().toString());
      }
      staging[base + j] = v;
    }
    return null;
  }

  private Invalid encodeArray(InternalRow row, int base) {
    ColumnBinding c = columns[0];
    if (row.isNullAt(c.ordinal())) {
      return new Invalid(Invalid.Reason.NULL_VALUE, c.name(), "null");
    }
    ArrayData a = row.getArray(c.ordinal());
    int n = a.numElements();
    if (n != perRow) {
      return new Invalid(
          Invalid.Reason.WRONG_LENGTH, c.name(), n + " values, " + perRow + " expected");
    }
    if (c.elementsMayBeNull()) {
      for (int j = 0; j < n; j++) {
        if (a.isNullAt(j)) {
          return new Invalid(Invalid.Reason.NULL_VALUE, c.name() + "[" + j + "]", "null");
        }
      }
    }
    switch (c.type()) {
      case FLOAT -> {
        if (a instanceof UnsafeArrayData u) {
          // the values sit contiguously after the header: one copy, then the finiteness check
          Platform.copyMemory(
              u.getBaseObject(),
              u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
              staging,
              Platform.FLOAT_ARRAY_OFFSET + 4L * base,
              4L * n);
          for (int j = 0; j < n; j++) {
            float v = staging[base + j];
            if (!Float.isFinite(v)) {
              return notFinite(c.name() + "[" + j + "]", v);
            }
          }
          return null;
        }
        for (int j = 0; j < n; j++) {
          float v = a.getFloat(j);
          if (!Float.isFinite(v)) {
            return notFinite(c.name() + "[" + j + "]", v);
          }
          staging[base + j] = v;
        }
      }
      case DOUBLE -> {
        for (int j = 0; j < n; j++) {
          double d = a.getDouble(j);
          float v = (float) d;
          if (!Float.isFinite(v)) {
            return notFinite(c.name() + "[" + j + "]", d);
          }
          staging[base + j] = v;
        }
      }
      case INT -> {
        for (int j = 0; j < n; j++) {
          staging[base + j] = a.getInt(j);
        }
      }
      case LONG -> {
        for (int j = 0; j < n; j++) {
          staging[base + j] = a.getLong(j);
        }
      }
      case SHORT -> {
        for (int j = 0; j < n; j++) {
          staging[base + j] = a.getShort(j);
        }
      }
      case BYTE -> {
        for (int j = 0; j < n; j++) {
          staging[base + j] = a.getByte(j);
        }
      }
    }
    return null;
  }

  /** A NaN, an infinity, or a double beyond float range (which the model would see as one). */
  private static Invalid notFinite(String column, double value) {
    String detail =
        Double.isFinite(value) ? value + " (beyond float range)" : String.valueOf(value);
    return new Invalid(Invalid.Reason.NOT_FINITE, column, detail);
  }

  /** The model named in messages about this input (the first one fed by it). */
  String model() {
    return model;
  }

  /** The model input, as messages show it. */
  TensorSpec spec() {
    return new TensorSpec(binding.modelInput(), ElementType.FLOAT, new long[] {-1, perRow});
  }
}
