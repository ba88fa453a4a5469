package dev.inferlake.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Name, element type and shape of one model input or output. A dimension of {@code -1} is dynamic
 * (a symbolic or missing dimension in the ONNX graph); the first dimension is the batch.
 */
public final class TensorSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final ElementType type;
  private final long[] shape;

  public TensorSpec(String name, ElementType type, long[] shape) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.shape = shape.clone();
  }

  public String name() {
    return name;
  }

  public ElementType type() {
    return type;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * Values per example: the product of every dimension after the batch dimension (1 for a rank-1
   * tensor).
   *
   * @return the count, or {@code -1} when a non-batch dimension is dynamic
   */
  public long elementsPerRow() {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        return -1;
      }
      n *= shape[i];
    }
    return n;
  }

  /** Shape as users read it, e.g. {@code float[-1, 16]}. */
  @Override
  public String toString() {
    return type.lowerName() + Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && t.name.equals(name)
        && t.type == type
        && Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape));
  }
}
