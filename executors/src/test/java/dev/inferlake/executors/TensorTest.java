package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void everyElementTypeRoundTripsThroughItsTypedView() {
    Tensor f = Tensor.allocate(ElementType.FLOAT, 2, 3);
    f.asFloatBuffer().put(new float[] {1.5f, -2, Float.MAX_VALUE, 0, 7, 8});
    float[] fs = new float[6];
    f.asFloatBuffer().get(fs);
    assertArrayEquals(new float[] {1.5f, -2, Float.MAX_VALUE, 0, 7, 8}, fs);

    Tensor d = Tensor.allocate(ElementType.DOUBLE, 2, 1);
    d.asDoubleBuffer().put(0, 1e300).put(1, -0.25);
    assertEquals(1e300, d.asDoubleBuffer().get(0));
    assertEquals(-0.25, d.asDoubleBuffer().get(1));

    Tensor l = Tensor.allocate(ElementType.INT64, 3);
    l.asLongBuffer().put(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});
    assertEquals(Long.MAX_VALUE, l.asLongBuffer().get(2));
    assertEquals(Long.MIN_VALUE, l.asLongBuffer().get(0));

    Tensor i = Tensor.allocate(ElementType.INT32, 1, 2);
    i.asIntBuffer().put(0, Integer.MIN_VALUE).put(1, 42);
    assertEquals(Integer.MIN_VALUE, i.asIntBuffer().get(0));
    assertEquals(42, i.asIntBuffer().get(1));

    Tensor i8 = Tensor.allocate(ElementType.INT8, 2);
    i8.asByteBuffer().put(0, (byte) -128).put(1, (byte) 127);
    assertEquals(-128, i8.asByteBuffer().get(0));

    Tensor u8 = Tensor.allocate(ElementType.UINT8, 1);
    u8.asByteBuffer().put(0, (byte) 255);
    assertEquals(255, Byte.toUnsignedInt(u8.asByteBuffer().get(0)));

    Tensor b = Tensor.allocate(ElementType.BOOL, 2);
    b.asByteBuffer().put(1, (byte) 1);
    assertEquals(0, b.asByteBuffer().get(0));
    assertEquals(1, b.asByteBuffer().get(1));

    Tensor h = Tensor.allocate(ElementType.FLOAT16, 1);
    h.asShortBuffer().put(0, (short) 0x3C00); // 1.0
    assertEquals((short) 0x3C00, h.asShortBuffer().get(0));

    Tensor s = Tensor.allocate(ElementType.STRING, 2, 1);
    assertEquals("", s.strings()[0], "string tensors start as empty strings");
    s.strings()[1] = "héllo";
    assertEquals("héllo", s.strings()[1]);
  }

  @Test
  void viewsShareMemoryAreDirectNativeOrderAndCoverTheCurrentShape() {
    Tensor t = Tensor.allocate(ElementType.FLOAT, 4, 2);
    FloatBuffer view = t.asFloatBuffer();
    assertTrue(view.isDirect());
    assertEquals(ByteOrder.nativeOrder(), view.order());
    assertEquals(ByteOrder.nativeOrder(), t.bytes().order());
    assertEquals(8, view.remaining());
    view.put(5, 9f);
    assertEquals(9f, t.asFloatBuffer().get(5), "a view writes the tensor");

    t.setRows(2);
    assertArrayEquals(new long[] {2, 2}, t.shape());
    assertEquals(4, t.size());
    assertEquals(4, t.asFloatBuffer().remaining());
    assertEquals(16, t.bytes().remaining());
    t.setRows(3);
    assertEquals(9f, t.asFloatBuffer().get(5), "reshaping keeps the values");
  }

  @Test
  void capacityIsFixedAndShapesMayChangeWithinIt() {
    Tensor t = Tensor.withCapacity(ElementType.INT64, 12);
    assertArrayEquals(new long[] {0}, t.shape());
    assertEquals(12, t.capacity());
    t.reshape(2, 3, 2);
    assertEquals(12, t.size());
    t.reshape(4, 3); // a dynamic dimension that changes between batches
    assertEquals(4, t.rows());

    IllegalArgumentException over =
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 3));
    assertTrue(over.getMessage().contains("capacity of 12"), over.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.setRows(5));
    assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, 3));
    assertThrows(IllegalArgumentException.class, () -> t.reshape());
    assertThrows(
        IllegalArgumentException.class, () -> Tensor.allocate(ElementType.FLOAT, 1 << 16, 1 << 16));
    assertArrayEquals(new long[] {4, 3}, t.shape(), "a refused shape changes nothing");
  }

  @Test
  void aViewOfAnotherTypeOrOfATypeWithoutTensorsIsRefused() {
    Tensor f = Tensor.allocate(ElementType.FLOAT, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, f::asLongBuffer);
    assertEquals("this tensor holds float values, not int64", e.getMessage());
    assertThrows(IllegalStateException.class, f::asByteBuffer);
    assertThrows(IllegalStateException.class, f::strings);
    assertThrows(IllegalStateException.class, Tensor.allocate(ElementType.STRING, 1)::bytes);
    assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(ElementType.OTHER, 1));
  }

  @Test
  void aSpecGivesTheShapeForABatch() {
    TensorSpec spec = new TensorSpec("x", ElementType.INT32, new long[] {-1, 2, 3});
    Tensor t = Tensor.allocate(spec, 16);
    assertEquals(ElementType.INT32, t.type());
    assertArrayEquals(new long[] {16, 2, 3}, t.shape());
    assertEquals(96, t.capacity());
    assertEquals("int32[16, 2, 3] (capacity 96)", t.toString());

    TensorSpec dynamic = new TensorSpec("y", ElementType.FLOAT, new long[] {-1, -1});
    assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(dynamic, 4));
  }
}
