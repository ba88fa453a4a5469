package dev.inferlake.executors;

import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One batch of a model input or output: its element type, its shape (the batch dimension first) and
 * its values, row-major.
 *
 * <p>Memory is allocated once, for the largest batch the tensor will hold, and reused for every
 * batch: {@link #reshape} (or {@link #setRows}) sets the current shape, which may be any shape
 * whose element count fits the {@link #capacity}, so dimensions after the batch may change from
 * batch to batch. Numeric and boolean values live in a direct, native-order {@link ByteBuffer} that
 * engines read and write in place (a bool is one byte, 0 or 1; a float16 is its 16 raw bits);
 * strings live in a {@code String[]}.
 *
 * <p>The typed views ({@link #asFloatBuffer} and the like) cover the elements of the current shape,
 * from index 0, and share the tensor's memory: writing through a view writes the tensor, and no
 * value is copied or boxed. A view is only valid until the next {@link #reshape}.
 *
 * <p>A tensor holds no native handle and needs no closing: its direct memory is freed when it is no
 * longer reachable. Whoever allocates a tensor owns it; a {@link Runner} reads input tensors and
 * writes output tensors during a call only and keeps no reference to them. Not thread-safe: one
 * owner at a time (in scoring, one task).
 */
public final class Tensor {
  private final ElementType type;
  private final int capacity;
  private final ByteBuffer data;
  private final String[] strings;
  private long[] shape;
  private int size;

  private Tensor(ElementType type, int capacity) {
    this.type = Objects.requireNonNull(type, "type");
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
    }
    this.capacity = capacity;
    int width = elementBytes(type);
    if (type == ElementType.STRING) {
      this.data = null;
      this.strings = new String[capacity];
      Arrays.fill(strings, "");
    } else {
      long bytes = (long) capacity * width;
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            capacity + " " + type.lowerName() + " values do not fit one direct buffer");
      }
      this.data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
      this.strings = null;
    }
    this.shape = new long[] {0};
  }

  /**
   * A zero-filled tensor (empty strings for {@link ElementType#STRING}) of this shape, with room
   * for exactly its elements.
   *
   * @param shape the batch dimension first; every dimension {@code >= 0}
   * @throws IllegalArgumentException for a type without a tensor representation ({@link
   *     ElementType#OTHER}), a negative dimension, or more elements than one buffer holds
   */
  public static Tensor allocate(ElementType type, long... shape) {
    Tensor t = new Tensor(type, Math.toIntExact(checkedCount(shape)));
    return t.reshape(shape);
  }

  /**
   * A zero-filled tensor for a model input or output, shaped for {@code rows} examples.
   *
   * @throws IllegalArgumentException when a dimension after the batch is dynamic
   */
  public static Tensor allocate(TensorSpec spec, int rows) {
    long[] shape = spec.shape();
    if (shape.length == 0 || spec.elementsPerRow() < 0) {
      throw new IllegalArgumentException(
          "'" + spec.name() + "' (" + spec + ") has no fixed shape after the batch dimension");
    }
    shape[0] = rows;
    return allocate(spec.type(), shape);
  }

  /**
   * A zero-filled tensor with room for {@code elements} values, shaped {@code [0]} until {@link
   * #reshape}d; for outputs whose shape the engine decides.
   */
  public static Tensor withCapacity(ElementType type, int elements) {
    return new Tensor(type, elements);
  }

  /**
   * Bytes per element in the direct buffer: 0 for {@link ElementType#STRING}, which has none.
   *
   * @throws IllegalArgumentException for {@link ElementType#OTHER}
   */
  public static int elementBytes(ElementType type) {
    return switch (type) {
      case DOUBLE, INT64 -> 8;
      case FLOAT, INT32 -> 4;
      case FLOAT16 -> 2;
      case INT8, UINT8, BOOL -> 1;
      case STRING -> 0;
      case OTHER -> throw new IllegalArgumentException("no tensor holds elements of type other");
    };
  }

  public ElementType type() {
    return type;
  }

  /** The most elements this tensor holds. */
  public int capacity() {
    return capacity;
  }

  /** A copy of the current shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** The batch dimension of the current shape. */
  public int rows() {
    return (int) shape[0];
  }

  /** Elements in the current shape. */
  public int size() {
    return size;
  }

  /**
   * Sets the current shape; values are not moved or cleared.
   *
   * @param shape the batch dimension first; every dimension {@code >= 0}
   * @return this tensor
   * @throws IllegalArgumentException when the shape is empty, has a negative dimension, or holds
   *     more elements than the capacity
   */
  public Tensor reshape(long... shape) {
    long count = checkedCount(shape);
    if (count > capacity) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " holds "
              + count
              + " values, more than this "
              + type.lowerName()
              + " tensor's capacity of "
              + capacity);
    }
    this.shape = shape.clone();
    this.size = (int) count;
    return this;
  }

  /**
   * Sets the batch dimension, keeping the others.
   *
   * @return this tensor
   * @throws IllegalArgumentException as {@link #reshape} does
   */
  public Tensor setRows(int rows) {
    long[] s = shape.clone();
    s[0] = rows;
    return reshape(s);
  }

  /**
   * The current elements' bytes, native order, for any type but {@link ElementType#STRING}.
   *
   * @throws IllegalStateException for a string tensor
   */
  public ByteBuffer bytes() {
    if (data == null) {
      throw new IllegalStateException("a string tensor has no bytes; use strings()");
    }
    return data.duplicate()
        .position(0)
        .limit(size * elementBytes(type))
        .slice()
        .order(ByteOrder.nativeOrder());
  }

  /** A view of a {@link ElementType#FLOAT} tensor's current elements. */
  public FloatBuffer asFloatBuffer() {
    return typed(ElementType.FLOAT).asFloatBuffer();
  }

  /** A view of a {@link ElementType#DOUBLE} tensor's current elements. */
  public DoubleBuffer asDoubleBuffer() {
    return typed(ElementType.DOUBLE).asDoubleBuffer();
  }

  /** A view of an {@link ElementType#INT64} tensor's current elements. */
  public LongBuffer asLongBuffer() {
    return typed(ElementType.INT64).asLongBuffer();
  }

  /** A view of an {@link ElementType#INT32} tensor's current elements. */
  public IntBuffer asIntBuffer() {
    return typed(ElementType.INT32).asIntBuffer();
  }

  /** A view of a {@link ElementType#FLOAT16} tensor's current elements, as raw 16-bit values. */
  public ShortBuffer asShortBuffer() {
    return typed(ElementType.FLOAT16).asShortBuffer();
  }

  /**
   * A view of an {@link ElementType#INT8}, {@link ElementType#UINT8} (read with {@code
   * Byte.toUnsignedInt}) or {@link ElementType#BOOL} (0 or 1) tensor's current elements.
   */
  public ByteBuffer asByteBuffer() {
    return switch (type) {
      case INT8, UINT8, BOOL -> bytes();
      case FLOAT, DOUBLE, INT64, INT32, FLOAT16, STRING, OTHER ->
          throw wrongType("int8/uint8/bool");
    };
  }

  /**
   * The backing array of a {@link ElementType#STRING} tensor, shared, not copied: {@link #capacity}
   * long, the current elements first.
   */
  public String[] strings() {
    if (strings == null) {
      throw wrongType("string");
    }
    return strings;
  }

  private ByteBuffer typed(ElementType wanted) {
    if (type != wanted) {
      throw wrongType(wanted.lowerName());
    }
    return bytes();
  }

  private IllegalStateException wrongType(String wanted) {
    return new IllegalStateException(
        "this tensor holds " + type.lowerName() + " values, not " + wanted);
  }

  private static long checkedCount(long[] shape) {
    if (shape.length == 0) {
      throw new IllegalArgumentException("a tensor shape starts with the batch dimension");
    }
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= Math.min(d, Integer.MAX_VALUE + 1L); // both factors below 2^31: no overflow
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " holds more values than one tensor can");
      }
    }
    return n;
  }

  /** Type, current shape and capacity, e.g. {@code float[8, 5] (capacity 40)}. */
  @Override
  public String toString() {
    return type.lowerName() + Arrays.toString(shape) + " (capacity " + capacity + ")";
  }
}
