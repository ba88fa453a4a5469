package dev.inferlake.executors.internal;

import dev.inferlake.executors.ColumnBinding;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.NumericType;
import dev.inferlake.model.ElementType;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * The float32 encoder: copies one model input's values from Spark rows into a reusable staging
 * array, one row per call, each value read with a primitive accessor (no boxing) and converted to
 * float; a float array column in Spark's unsafe layout is copied in bulk. {@link #flush} then moves
 * the whole batch into the {@link ElementType#FLOAT} tensor the runner reads, in one bulk copy.
 *
 * <p>Doubles are rounded to the nearest float, as float32 models expect. Values a model cannot take
 * are reported, not written: nulls, NaN, infinities and doubles beyond float range ({@code
 * not_finite}), and integers beyond ±2^24, past which float32 no longer holds every integer ({@code
 * not_exact}).
 *
 * <p>Not thread-safe: one per task.
 */
final class FloatEncoder extends StagedEncoder {
  /** Float32 holds every integer up to this magnitude, and not every one beyond. */
  static final long EXACT_INTEGERS = 1L << 24;

  private final float[] staging;

  FloatEncoder(InputBinding binding, String model, int batchSize) {
    super(binding, model, batchSize);
    if (binding.elementType() != ElementType.FLOAT) {
      throw new IllegalArgumentException(
          "input '" + binding.modelInput() + "' is not float32: " + binding.input());
    }
    this.staging = new float[Math.multiplyExact(batchSize, perRow)];
  }

  @Override
  public void flush(int rows) {
    tensor.setRows(rows).asFloatBuffer().put(0, staging, 0, rows * perRow);
  }

  @Override
  Invalid put(SpecializedGetters src, int i, NumericType from, int at) {
    return switch (from) {
      case FLOAT -> putFloat(at, src.getFloat(i));
      case DOUBLE -> putDouble(at, src.getDouble(i));
      case INT -> putInteger(at, src.getInt(i));
      case LONG -> putInteger(at, src.getLong(i));
      case SHORT -> putInteger(at, src.getShort(i));
      case BYTE -> putInteger(at, src.getByte(i));
      case BOOLEAN -> throw unbound(from);
    };
  }

  private Invalid putFloat(int at, float v) {
    if (!Float.isFinite(v)) {
      return notFinite(v);
    }
    staging[at] = v;
    return null;
  }

  private Invalid putDouble(int at, double d) {
    float v = (float) d;
    if (!Float.isFinite(v)) {
      // a finite double beyond float range would reach the model as an infinity
      return Double.isFinite(d)
          ? new Invalid(Invalid.Reason.NOT_FINITE, "", d + " (beyond float range)")
          : notFinite(d);
    }
    staging[at] = v;
    return null;
  }

  private Invalid putInteger(int at, long x) {
    if (x > EXACT_INTEGERS || x < -EXACT_INTEGERS) {
      return beyondPrecision(x);
    }
    staging[at] = x;
    return null;
  }

  static Invalid beyondPrecision(long x) {
    return notExact(String.valueOf(x), "beyond ±2^24, float32 does not hold every integer");
  }

  @Override
  Invalid encodeFlat(ArrayData a, ColumnBinding c, int base) {
    if (c.type() == NumericType.FLOAT && a instanceof UnsafeArrayData u) {
      int n = a.numElements();
      // the values sit contiguously after the header: one copy, then the null and finiteness check
      Platform.copyMemory(
          u.getBaseObject(),
          u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
          staging,
          Platform.FLOAT_ARRAY_OFFSET + 4L * base,
          4L * n);
      boolean nulls = c.elementsMayBeNull();
      for (int j = 0; j < n; j++) {
        if (nulls && a.isNullAt(j)) {
          return new Invalid(Invalid.Reason.NULL_VALUE, "[" + j + "]", "null");
        }
        float v = staging[base + j];
        if (!Float.isFinite(v)) {
          return notFinite(v).under("[" + j + "]");
        }
      }
      return null;
    }
    return super.encodeFlat(a, c, base);
  }
}
