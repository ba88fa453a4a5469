package dev.inferlake.model;

/**
 * Tensor element types inferlake knows about, with their ONNX {@code TensorProto.DataType} codes.
 */
public enum ElementType {
  FLOAT(1),
  UINT8(2),
  INT8(3),
  INT32(6),
  INT64(7),
  STRING(8),
  BOOL(9),
  FLOAT16(10),
  DOUBLE(11),
  OTHER(-1);

  private final int onnxCode;

  ElementType(int onnxCode) {
    this.onnxCode = onnxCode;
  }

  /** Maps an ONNX data type code; unknown codes map to {@link #OTHER}. */
  public static ElementType fromOnnx(int code) {
    for (ElementType t : values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    return OTHER;
  }

  public String lowerName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
