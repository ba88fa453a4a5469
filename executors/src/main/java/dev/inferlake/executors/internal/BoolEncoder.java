package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.NumericType;
import dev.inferlake.model.ElementType;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;

/**
 * The bool encoder: boolean columns, or integer columns holding 0 or 1 (any other integer is {@code
 * out_of_range}), stored one byte per value, 0 or 1. Float columns cannot feed a bool input ({@link
 * InputBinding#bind} refuses them): no threshold is guessed.
 *
 * <p>Not thread-safe: one per task.
 */
final class BoolEncoder extends StagedEncoder {
  private final byte[] staging;

  BoolEncoder(InputBinding binding, String model, int batchSize) {
    super(binding, model, batchSize);
    if (binding.elementType() != ElementType.BOOL) {
      throw new IllegalArgumentException(
          "input '" + binding.modelInput() + "' is not bool: " + binding.input());
    }
    this.staging = new byte[Math.multiplyExact(batchSize, perRow)];
  }

  @Override
  public void flush(int rows) {
    tensor.setRows(rows).asByteBuffer().put(0, staging, 0, rows * perRow);
  }

  @Override
  Invalid put(SpecializedGetters src, int i, NumericType from, int at) {
    return switch (from) {
      case BOOLEAN -> {
        staging[at] = src.getBoolean(i) ? (byte) 1 : (byte) 0;
        yield null;
      }
      case LONG -> putInteger(at, src.getLong(i));
      case INT -> putInteger(at, src.getInt(i));
      case SHORT -> putInteger(at, src.getShort(i));
      case BYTE -> putInteger(at, src.getByte(i));
      case FLOAT, DOUBLE -> throw unbound(from);
    };
  }

  private Invalid putInteger(int at, long x) {
    if (x != 0 && x != 1) {
      return outOfRange(String.valueOf(x), "a bool input takes 0 or 1");
    }
    staging[at] = (byte) x;
    return null;
  }
}
