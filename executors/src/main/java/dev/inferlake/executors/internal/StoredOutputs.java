package dev.inferlake.executors.internal;

import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One model's stored outputs to the {@code outputs} struct column: each output, as the runner wrote
 * it, into the struct field of its name, in the type {@link PredictionSchema#outputType} gives (a
 * scalar, an array, or arrays of arrays for more dimensions). Fields of outputs this model does not
 * have are null. One struct row is reused for every prediction row; each array is a copy of the
 * row's values (stored outputs are not the zero-copy path).
 *
 * <p>Not thread-safe: one per model per task.
 */
final class StoredOutputs {
  private final TensorSpec[] specs;
  private final Tensor[] tensors;
  private final int[] fields;
  private final int[] perRow;
  private final GenericInternalRow row;

  /** Per output: a typed view of the values the runner last wrote (null for strings). */
  private final java.nio.Buffer[] views;

  /**
   * @param outputs the runner's outputs by name; a tensor is added for each stored output not yet
   *     there (the task output's tensor is shared when it is stored too)
   */
  StoredOutputs(
      List<TensorSpec> stored, StructType struct, int batchSize, Map<String, Tensor> outputs) {
    int n = stored.size();
    specs = stored.toArray(new TensorSpec[0]);
    tensors = new Tensor[n];
    fields = new int[n];
    perRow = new int[n];
    List<String> names = Arrays.asList(struct.fieldNames());
    for (int i = 0; i < n; i++) {
      TensorSpec s = specs[i];
      int values = Math.toIntExact(s.elementsPerRow());
      perRow[i] = values;
      tensors[i] =
          outputs.computeIfAbsent(
              s.name(), k -> Tensor.withCapacity(s.type(), Math.multiplyExact(batchSize, values)));
      fields[i] = names.indexOf(s.name());
      if (fields[i] < 0) {
        throw new IllegalArgumentException("the outputs struct has no field '" + s.name() + "'");
      }
    }
    row = new GenericInternalRow(struct.size());
    views = new java.nio.Buffer[n];
  }

  /** Checks the batch of {@code rows} the runner just wrote. */
  void scored(int rows) {
    for (int i = 0; i < specs.length; i++) {
      if (tensors[i].size() != (long) rows * perRow[i]) {
        throw new IllegalStateException(
            "output '" + specs[i].name() + "' holds " + tensors[i] + ", not " + rows + " rows");
      }
      Tensor t = tensors[i];
      views[i] =
          switch (t.type()) {
            case FLOAT -> t.asFloatBuffer();
            case DOUBLE -> t.asDoubleBuffer();
            case INT64 -> t.asLongBuffer();
            case INT32 -> t.asIntBuffer();
            case INT8, UINT8, BOOL -> t.asByteBuffer();
            case STRING, FLOAT16, OTHER -> null;
          };
    }
  }

  /** The struct value for batch slot {@code slot}; valid until the next call. */
  InternalRow row(int slot) {
    for (int f = 0; f < row.numFields(); f++) {
      row.setNullAt(f);
    }
    for (int i = 0; i < specs.length; i++) {
      TensorSpec s = specs[i];
      int offset = slot * perRow[i];
      Object v;
      if (PredictionSchema.scalar(s)) {
        v = scalar(tensors[i], views[i], s.type(), offset);
      } else {
        long[] shape = s.shape();
        v =
            array(
                tensors[i],
                views[i],
                s.type(),
                Arrays.copyOfRange(shape, 1, shape.length),
                0,
                offset);
      }
      row.update(fields[i], v);
    }
    return row;
  }

  private static Object scalar(Tensor t, java.nio.Buffer view, ElementType type, int at) {
    return switch (type) {
      case FLOAT -> ((FloatBuffer) view).get(at);
      case DOUBLE -> ((DoubleBuffer) view).get(at);
      case INT64 -> ((LongBuffer) view).get(at);
      case INT32 -> ((IntBuffer) view).get(at);
      case INT8 -> ((ByteBuffer) view).get(at);
      case UINT8 -> (short) (((ByteBuffer) view).get(at) & 0xFF);
      case BOOL -> ((ByteBuffer) view).get(at) != 0;
      case STRING -> UTF8String.fromString(t.strings()[at]);
      case FLOAT16, OTHER -> throw new IllegalArgumentException("no column holds " + type);
    };
  }

  /** The values from {@code offset} shaped {@code dims[d..]}: nested arrays, innermost leaves. */
  private static Object array(
      Tensor t, java.nio.Buffer view, ElementType type, long[] dims, int d, int offset) {
    int len = (int) dims[d];
    if (d == dims.length - 1) {
      return leaf(t, view, type, offset, len);
    }
    int stride = 1;
    for (int k = d + 1; k < dims.length; k++) {
      stride *= (int) dims[k];
    }
    Object[] items = new Object[len];
    for (int i = 0; i < len; i++) {
      items[i] = array(t, view, type, dims, d + 1, offset + i * stride);
    }
    return new GenericArrayData(items);
  }

  private static Object leaf(Tensor t, java.nio.Buffer view, ElementType type, int at, int len) {
    return switch (type) {
      case FLOAT -> {
        float[] a = new float[len];
        ((FloatBuffer) view).get(at, a);
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case DOUBLE -> {
        double[] a = new double[len];
        ((DoubleBuffer) view).get(at, a);
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case INT64 -> {
        long[] a = new long[len];
        ((LongBuffer) view).get(at, a);
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case INT32 -> {
        int[] a = new int[len];
        ((IntBuffer) view).get(at, a);
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case INT8 -> {
        byte[] a = new byte[len];
        ((ByteBuffer) view).get(at, a);
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case UINT8 -> {
        ByteBuffer b = (ByteBuffer) view;
        short[] a = new short[len];
        for (int i = 0; i < len; i++) {
          a[i] = (short) (b.get(at + i) & 0xFF);
        }
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case BOOL -> {
        ByteBuffer b = (ByteBuffer) view;
        boolean[] a = new boolean[len];
        for (int i = 0; i < len; i++) {
          a[i] = b.get(at + i) != 0;
        }
        yield UnsafeArrayData.fromPrimitiveArray(a);
      }
      case STRING -> {
        Object[] a = new Object[len];
        for (int i = 0; i < len; i++) {
          a[i] = UTF8String.fromString(t.strings()[at + i]);
        }
        yield new GenericArrayData(a);
      }
      case FLOAT16, OTHER -> throw new IllegalArgumentException("no column holds " + type);
    };
  }
}
