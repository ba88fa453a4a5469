package dev.inferlake.executors.internal;

import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * A Spark array of a fixed number of non-null floats or doubles, rewritten in place for every row:
 * one {@code UnsafeArrayData} over one byte array, so a row's vector costs no object. Spark copies
 * it when it projects the row.
 *
 * <p>Not thread-safe.
 */
final class ReusedArray {
  private final byte[] bytes;
  private final long base;
  private final UnsafeArrayData data = new UnsafeArrayData();

  private ReusedArray(int length, int elementBytes) {
    int header = UnsafeArrayData.calculateHeaderPortionInBytes(length);
    bytes = new byte[header + ((length * elementBytes + 7) & ~7)];
    Platform.putLong(bytes, Platform.BYTE_ARRAY_OFFSET, length); // element count; no null bits
    base = Platform.BYTE_ARRAY_OFFSET + header;
    data.pointTo(bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length);
  }

  /** An array of {@code length} floats. */
  static ReusedArray floats(int length) {
    return new ReusedArray(length, 4);
  }

  /** An array of {@code length} doubles. */
  static ReusedArray doubles(int length) {
    return new ReusedArray(length, 8);
  }

  void setFloat(int i, float v) {
    Platform.putFloat(bytes, base + 4L * i, v);
  }

  void setDouble(int i, double v) {
    Platform.putDouble(bytes, base + 8L * i, v);
  }

  /** The array, holding what was last set. */
  UnsafeArrayData data() {
    return data;
  }
}
