package dev.inferlake.executors.internal;

import dev.inferlake.executors.ColumnBinding;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.NumericType;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.TensorSpec;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * What every element type's encoder shares: walking a row's bound columns (scalars, a flat array,
 * or arrays nested one level per dimension) in tensor order, reporting nulls and wrong lengths.
 * Each value is handed to {@link #put}, which converts it into the subclass's staging array or says
 * why it cannot; {@link #flush} moves a batch from staging into the tensor.
 *
 * <p>Not thread-safe: one per task.
 */
abstract class StagedEncoder implements InputEncoder {
  protected final InputBinding binding;
  protected final ColumnBinding[] columns;
  protected final int perRow;
  protected final Tensor tensor;
  private final String model;

  /** The input's dimensions after the batch; nested arrays must match them level by level. */
  private final int[] dims;

  StagedEncoder(InputBinding binding, String model, int batchSize) {
    this.binding = binding;
    this.model = model;
    this.columns = binding.columns().toArray(new ColumnBinding[0]);
    this.perRow = binding.elementsPerRow();
    this.dims = binding.rowShape();
    this.tensor = Tensor.allocate(binding.input(), batchSize);
  }

  /**
   * Converts value {@code i} of {@code src} (a row or an array), of Spark type {@code from}, into
   * staging position {@code at}.
   *
   * @return null when it fits; otherwise why not, with an empty column (the caller names it)
   */
  abstract Invalid put(SpecializedGetters src, int i, NumericType from, int at);

  @Override
  public final Invalid encode(InternalRow row, int slot) {
    int base = slot * perRow;
    if (!binding.isArray()) {
      for (int j = 0; j < columns.length; j++) {
        ColumnBinding c = columns[j];
        int ord = c.ordinal();
        if (row.isNullAt(ord)) {
          return new Invalid(Invalid.Reason.NULL_VALUE, c.name(), "null");
        }
        Invalid why = put(row, ord, c.type(), base + j);
        if (why != null) {
          return why.under(c.name());
        }
      }
      return null;
    }
    ColumnBinding c = columns[0];
    if (row.isNullAt(c.ordinal())) {
      return new Invalid(Invalid.Reason.NULL_VALUE, c.name(), "null");
    }
    ArrayData a = row.getArray(c.ordinal());
    Invalid why;
    if (c.depth() == 1) {
      int n = a.numElements();
      if (n != perRow) {
        return new Invalid(
            Invalid.Reason.WRONG_LENGTH, c.name(), n + " values, " + perRow + " expected");
      }
      why = encodeFlat(a, c, base);
    } else {
      why = encodeNested(a, c, 0, base);
    }
    return why == null ? null : why.under(c.name());
  }

  /**
   * Encodes a flat array of exactly {@link #perRow} values from staging position {@code base};
   * subclasses may copy some array layouts in bulk.
   *
   * @return as {@link #put}, with the column as {@code [j]}
   */
  Invalid encodeFlat(ArrayData a, ColumnBinding c, int base) {
    return putAll(a, a.numElements(), c, base);
  }

  /** Every value of {@code a}, one by one. */
  final Invalid putAll(ArrayData a, int n, ColumnBinding c, int base) {
    NumericType from = c.type();
    boolean nulls = c.elementsMayBeNull();
    for (int j = 0; j < n; j++) {
      if (nulls && a.isNullAt(j)) {
        return new Invalid(Invalid.Reason.NULL_VALUE, "[" + j + "]", "null");
      }
      Invalid why = put(a, j, from, base + j);
      if (why != null) {
        return why.under("[" + j + "]");
      }
    }
    return null;
  }

  /** Level {@code level} of a nested array, whose first value goes to {@code base}. */
  private Invalid encodeNested(ArrayData a, ColumnBinding c, int level, int base) {
    int n = a.numElements();
    if (n != dims[level]) {
      return new Invalid(
          Invalid.Reason.WRONG_LENGTH, "", n + " values, " + dims[level] + " expected");
    }
    if (level == dims.length - 1) {
      return putAll(a, n, c, base);
    }
    int stride = 1;
    for (int d = level + 1; d < dims.length; d++) {
      stride *= dims[d];
    }
    for (int i = 0; i < n; i++) {
      if (a.isNullAt(i)) {
        return new Invalid(Invalid.Reason.NULL_VALUE, "[" + i + "]", "null");
      }
      Invalid why = encodeNested(a.getArray(i), c, level + 1, base + i * stride);
      if (why != null) {
        return why.under("[" + i + "]");
      }
    }
    return null;
  }

  @Override
  public final Tensor tensor() {
    return tensor;
  }

  @Override
  public final String model() {
    return model;
  }

  @Override
  public final TensorSpec spec() {
    return binding.input();
  }

  /** A NaN or an infinity. */
  static Invalid notFinite(double value) {
    return new Invalid(Invalid.Reason.NOT_FINITE, "", String.valueOf(value));
  }

  /** A NaN or an infinity in a float column, named as it is written. */
  static Invalid notFinite(float value) {
    return new Invalid(Invalid.Reason.NOT_FINITE, "", String.valueOf(value));
  }

  /** A value the input's type cannot hold exactly. */
  static Invalid notExact(String value, String why) {
    return new Invalid(Invalid.Reason.NOT_EXACT, "", value + " (" + why + ")");
  }

  /** A value outside the input type's range or vocabulary. */
  static Invalid outOfRange(String value, String why) {
    return new Invalid(Invalid.Reason.OUT_OF_RANGE, "", value + " (" + why + ")");
  }

  /** For a Spark type that {@link InputBinding#bind} never binds to this encoder's input. */
  final IllegalStateException unbound(NumericType from) {
    return new IllegalStateException(
        "a " + from + " column cannot feed " + binding.input() + "; bind refuses it");
  }
}
