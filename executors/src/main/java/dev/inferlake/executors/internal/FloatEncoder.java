package dev.inferlake.executors.internal;

import dev.inferlake.executors.ColumnBinding;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.NumericType;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * The float32 encoder: copies one model input's values from Spark rows into a reusable staging
 * array, one row per call, each value read with a primitive accessor (no boxing) and converted to
 * float; a float array column in Spark's unsafe layout is copied in bulk. {@link #flush} then moves
 * the whole batch into the {@link ElementType#FLOAT} tensor the runner reads, in one bulk copy.
 *
 * <p>Values a model cannot take (nulls, NaN, infinities, doubles beyond float range, a wrong array
 * length) are reported, not written.
 *
 * <p>Not thread-safe: one per task.
 */
final class FloatEncoder implements InputEncoder {
  private final InputBinding binding;
  private final String model;
  private final ColumnBinding[] columns;
  private final int perRow;
  private final Tensor tensor;
  private final float[] staging;

  FloatEncoder(InputBinding binding, String model, int batchSize) {
    if (binding.elementType() != ElementType.FLOAT) {
      throw new IllegalArgumentException(
          "input '" + binding.modelInput() + "' is not float32: " + binding.input());
    }
    this.binding = binding;
    this.model = model;
    this.columns = binding.columns().toArray(new ColumnBinding[0]);
    this.perRow = binding.elementsPerRow();
    this.tensor = Tensor.allocate(binding.input(), batchSize);
    this.staging = new float[Math.multiplyExact(batchSize, perRow)];
  }

  @Override
  public void flush(int rows) {
    tensor.setRows(rows).asFloatBuffer().put(0, staging, 0, rows * perRow);
  }

  @Override
  public Tensor tensor() {
    return tensor;
  }

  @Override
  public Invalid encode(InternalRow row, int index) {
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
      float v =
          switch (c.type()) {
            case FLOAT -> row.getFloat(ord);
            case DOUBLE -> (float) row.getDouble(ord);
            case INT -> row.getInt(ord);
            case LONG -> row.getLong(ord);
            case SHORT -> row.getShort(ord);
            case BYTE -> row.getByte(ord);
          };
      if (!Float.isFinite(v)) {
        // only a float or double column gets here; a double is named by its own value
        return notFinite(c.name(), c.type() == NumericType.DOUBLE ? row.getDouble(ord) : v);
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

  @Override
  public String model() {
    return model;
  }

  @Override
  public TensorSpec spec() {
    return new TensorSpec(binding.modelInput(), ElementType.FLOAT, new long[] {-1, perRow});
  }
}
