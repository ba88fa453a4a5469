package dev.inferlake.executors.internal;

import dev.inferlake.executors.ColumnBinding;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.NumericType;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * The encoder of the integer element types (int64, int32, int8, uint8): integer columns, and float
 * or double columns holding whole numbers. Values a model cannot take are reported, never rounded
 * or wrapped: nulls, NaN and infinities ({@code not_finite}), fractions ({@code not_exact}), values
 * outside the type's range or outside the vocabulary the package declares ({@code out_of_range}: an
 * embedding lookup would otherwise fail the whole batch, or read another row's memory).
 *
 * <p>Values are staged as longs; {@link #flush} narrows them into the tensor's type (every staged
 * value is already in range). A long array column in Spark's unsafe layout feeding an int64 input
 * is copied in bulk.
 *
 * <p>Not thread-safe: one per task.
 */
final class IntegerEncoder extends StagedEncoder {
  private final long min;
  private final long max;

  /** Whether the package declares a vocabulary: ids in {@code [0, vocab)}. */
  private final boolean hasVocab;

  private final long vocab;

  private final String typeName;
  private final long[] staging;

  IntegerEncoder(InputBinding binding, String model, int batchSize) {
    super(binding, model, batchSize);
    this.min =
        switch (binding.elementType()) {
          case INT64 -> Long.MIN_VALUE;
          case INT32 -> Integer.MIN_VALUE;
          case INT8 -> Byte.MIN_VALUE;
          case UINT8 -> 0;
          case FLOAT, DOUBLE, BOOL, FLOAT16, STRING, OTHER ->
              throw new IllegalArgumentException(
                  "input '"
                      + binding.modelInput()
                      + "' is not an integer tensor: "
                      + binding.input());
        };
    this.max =
        switch (binding.elementType()) {
          case INT64 -> Long.MAX_VALUE;
          case INT32 -> Integer.MAX_VALUE;
          case INT8 -> Byte.MAX_VALUE;
          case UINT8 -> 255;
          case FLOAT, DOUBLE, BOOL, FLOAT16, STRING, OTHER -> throw new IllegalStateException();
        };
    this.hasVocab = binding.vocabSize() != null;
    this.vocab = hasVocab ? binding.vocabSize() : 0;
    this.typeName = binding.elementType().lowerName();
    this.staging = new long[Math.multiplyExact(batchSize, perRow)];
  }

  @Override
  public void flush(int rows) {
    int n = rows * perRow;
    tensor.setRows(rows);
    switch (tensor.type()) {
      case INT64 -> tensor.asLongBuffer().put(0, staging, 0, n);
      case INT32 -> {
        IntBuffer b = tensor.asIntBuffer();
        for (int i = 0; i < n; i++) {
          b.put(i, (int) staging[i]);
        }
      }
      case INT8, UINT8 -> {
        ByteBuffer b = tensor.asByteBuffer();
        for (int i = 0; i < n; i++) {
          b.put(i, (byte) staging[i]);
        }
      }
      case FLOAT, DOUBLE, BOOL, FLOAT16, STRING, OTHER ->
          throw new IllegalStateException("not an integer tensor: " + tensor);
    }
  }

  @Override
  Invalid put(SpecializedGetters src, int i, NumericType from, int at) {
    return switch (from) {
      case LONG -> putLong(at, src.getLong(i));
      case INT -> putLong(at, src.getInt(i));
      case SHORT -> putLong(at, src.getShort(i));
      case BYTE -> putLong(at, src.getByte(i));
      case DOUBLE -> putWhole(at, src.getDouble(i), false);
      case FLOAT -> putWhole(at, src.getFloat(i), true);
      case BOOLEAN -> throw unbound(from);
    };
  }

  private Invalid putLong(int at, long v) {
    if (v < min || v > max) {
      return outOfRange(String.valueOf(v), range());
    }
    if (hasVocab && (v < 0 || v >= vocab)) {
      return outOfRange(String.valueOf(v), vocabulary());
    }
    staging[at] = v;
    return null;
  }

  /**
   * A float or double that must hold a whole number in range; messages show it as its column type
   * writes it ({@code fromFloat}).
   */
  private Invalid putWhole(int at, double d, boolean fromFloat) {
    if (!Double.isFinite(d)) {
      return new Invalid(Invalid.Reason.NOT_FINITE, "", shown(d, fromFloat));
    }
    if (d != Math.rint(d)) {
      return notExact(
          shown(d, fromFloat), "not a whole number; " + typeName + " holds integers only");
    }
    // (double) max + 1 is exact for every range here, 2^63 included; a long cast would saturate
    if (d < min || d >= (double) max + 1) {
      return outOfRange(shown(d, fromFloat), range());
    }
    if (hasVocab && (d < 0 || d >= vocab)) {
      return outOfRange(shown(d, fromFloat), vocabulary());
    }
    staging[at] = (long) d;
    return null;
  }

  /** Built only for a bad value: valid rows allocate nothing. */
  private static String shown(double d, boolean fromFloat) {
    return fromFloat ? String.valueOf((float) d) : String.valueOf(d);
  }

  private String range() {
    return "outside " + typeName + "'s range, " + min + " to " + max;
  }

  private String vocabulary() {
    return "outside the vocabulary, 0 to " + (vocab - 1);
  }

  @Override
  Invalid encodeFlat(ArrayData a, ColumnBinding c, int base) {
    if (c.type() == NumericType.LONG && a instanceof UnsafeArrayData u) {
      int n = a.numElements();
      // the values sit contiguously after the header: one copy, then the range check
      Platform.copyMemory(
          u.getBaseObject(),
          u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
          staging,
          Platform.LONG_ARRAY_OFFSET + 8L * base,
          8L * n);
      boolean nulls = c.elementsMayBeNull();
      for (int j = 0; j < n; j++) {
        if (nulls && a.isNullAt(j)) {
          return new Invalid(Invalid.Reason.NULL_VALUE, "[" + j + "]", "null");
        }
        Invalid why = putLong(base + j, staging[base + j]);
        if (why != null) {
          return why.under("[" + j + "]");
        }
      }
      return null;
    }
    return super.encodeFlat(a, c, base);
  }
}
