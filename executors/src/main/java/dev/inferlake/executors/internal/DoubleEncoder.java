package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.NumericType;
import dev.inferlake.model.ElementType;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;

/**
 * The float64 encoder: every numeric column, converted to double without rounding. Values a model
 * cannot take are reported, not written: nulls, NaN and infinities ({@code not_finite}), and longs
 * beyond ±2^53, past which float64 no longer holds every integer ({@code not_exact}).
 *
 * <p>Not thread-safe: one per task.
 */
final class DoubleEncoder extends StagedEncoder {
  /** Float64 holds every integer up to this magnitude, and not every one beyond. */
  static final long EXACT_INTEGERS = 1L << 53;

  private final double[] staging;

  DoubleEncoder(InputBinding binding, String model, int batchSize) {
    super(binding, model, batchSize);
    if (binding.elementType() != ElementType.DOUBLE) {
      throw new IllegalArgumentException(
          "input '" + binding.modelInput() + "' is not float64: " + binding.input());
    }
    this.staging = new double[Math.multiplyExact(batchSize, perRow)];
  }

  @Override
  public void flush(int rows) {
    tensor.setRows(rows).asDoubleBuffer().put(0, staging, 0, rows * perRow);
  }

  @Override
  Invalid put(SpecializedGetters src, int i, NumericType from, int at) {
    return switch (from) {
      case FLOAT -> putFloat(at, src.getFloat(i));
      case DOUBLE -> putDouble(at, src.getDouble(i));
      case LONG -> putLong(at, src.getLong(i));
      case INT -> putDouble(at, src.getInt(i));
      case SHORT -> putDouble(at, src.getShort(i));
      case BYTE -> putDouble(at, src.getByte(i));
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

  private Invalid putDouble(int at, double v) {
    if (!Double.isFinite(v)) {
      return notFinite(v);
    }
    staging[at] = v;
    return null;
  }

  private Invalid putLong(int at, long x) {
    if (x > EXACT_INTEGERS || x < -EXACT_INTEGERS) {
      return notExact(String.valueOf(x), "beyond ±2^53, float64 does not hold every integer");
    }
    staging[at] = x;
    return null;
  }
}
