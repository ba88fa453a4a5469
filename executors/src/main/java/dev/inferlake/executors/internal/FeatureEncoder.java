package dev.inferlake.executors.internal;

import dev.inferlake.executors.ColumnBinding;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.Function;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * Copies one model input's values from Spark rows into a reusable direct buffer, one row per call,
 * each value read with a primitive accessor (no boxing) and written once.
 *
 * <p>Not thread-safe: one per task.
 */
final class FeatureEncoder {
  private final InputBinding binding;
  private final String model;
  private final ColumnBinding[] columns;
  private final int perRow;
  private final FloatBuffer buffer;

  FeatureEncoder(InputBinding binding, String model, int batchSize) {
    this.binding = binding;
    this.model = model;
    this.columns = binding.columns().toArray(new ColumnBinding[0]);
    this.perRow = binding.elementsPerRow();
    this.buffer =
        ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(batchSize, perRow), 4))
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
  }

  /** The buffer the encoded batch lives in, shared with the runner. */
  FloatBuffer buffer() {
    return buffer;
  }

  /**
   * Writes {@code row}'s values as example {@code index} of the batch.
   *
   * @param rowKey describes the row for messages; called only on failure
   */
  void encode(InternalRow row, int index, Function<InternalRow, String> rowKey) {
    int base = index * perRow;
    if (binding.isArray()) {
      encodeArray(row, base, rowKey);
      return;
    }
    for (int j = 0; j < columns.length; j++) {
      ColumnBinding c = columns[j];
      int ord = c.ordinal();
      if (row.isNullAt(ord)) {
        throw ScoringErrors.nullValue(c.name(), model, spec(), rowKey.apply(row));
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
      buffer.put(base + j, v);
    }
  }

  private void encodeArray(InternalRow row, int base, Function<InternalRow, String> rowKey) {
    ColumnBinding c = columns[0];
    if (row.isNullAt(c.ordinal())) {
      throw ScoringErrors.nullValue(c.name(), model, spec(), rowKey.apply(row));
    }
    ArrayData a = row.getArray(c.ordinal());
    int n = a.numElements();
    if (n != perRow) {
      throw ScoringErrors.wrongArrayLength(c.name(), n, model, spec(), rowKey.apply(row));
    }
    if (c.elementsMayBeNull()) {
      for (int j = 0; j < n; j++) {
        if (a.isNullAt(j)) {
          throw ScoringErrors.nullValue(c.name() + "[" + j + "]", model, spec(), rowKey.apply(row));
        }
      }
    }
    switch (c.type()) {
      case FLOAT -> {
        for (int j = 0; j < n; j++) {
          buffer.put(base + j, a.getFloat(j));
        }
      }
      case DOUBLE -> {
        for (int j = 0; j < n; j++) {
          buffer.put(base + j, (float) a.getDouble(j));
        }
      }
      case INT -> {
        for (int j = 0; j < n; j++) {
          buffer.put(base + j, a.getInt(j));
        }
      }
      case LONG -> {
        for (int j = 0; j < n; j++) {
          buffer.put(base + j, a.getLong(j));
        }
      }
      case SHORT -> {
        for (int j = 0; j < n; j++) {
          buffer.put(base + j, a.getShort(j));
        }
      }
      case BYTE -> {
        for (int j = 0; j < n; j++) {
          buffer.put(base + j, a.getByte(j));
        }
      }
    }
  }

  private TensorSpec spec() {
    return new TensorSpec(binding.modelInput(), ElementType.FLOAT, new long[] {-1, perRow});
  }
}
