package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.inferlake.executors.Device;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.executors.testing.TorchScripts;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelFormat;
import dev.inferlake.model.ModelSignature;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every element type inferlake feeds, into DJL's PyTorch engine: a TorchScript module per type that
 * casts its input to float, so its output shows exactly what reached libtorch.
 */
class DjlTypedInputsTest {
  private static float[] seen(ElementType type, Tensor in) {
    byte[] pt = TorchScripts.castToFloat(type, 3);
    ModelSignature sig = ModelFormat.TORCHSCRIPT.signature(pt, "cast");
    try (DjlRunner r =
        DjlRunner.load(pt, sig, "cast:" + type.lowerName(), new RunnerOptions(1, Device.CPU))) {
      Tensor out = Tensor.withCapacity(ElementType.FLOAT, 6);
      r.run(Map.of("x", in), 2, Map.of("y", out));
      float[] values = new float[out.size()];
      out.asFloatBuffer().get(values);
      return values;
    }
  }

  private static Tensor tensor(ElementType type) {
    return Tensor.allocate(type, 4, 3).setRows(2); // room for more rows than this batch
  }

  @Test
  void everyFedElementTypeReachesLibtorchExactly() {
    Tensor f = tensor(ElementType.FLOAT);
    f.asFloatBuffer().put(new float[] {1.5f, -2f, 3e30f, 0f, 5f, 6f});
    assertArrayEquals(new float[] {1.5f, -2f, 3e30f, 0f, 5f, 6f}, seen(ElementType.FLOAT, f));

    Tensor d = tensor(ElementType.DOUBLE);
    d.asDoubleBuffer().put(new double[] {0.5, -1e10, 7, 8, 9, 10});
    assertArrayEquals(new float[] {0.5f, -1e10f, 7, 8, 9, 10}, seen(ElementType.DOUBLE, d));

    Tensor l = tensor(ElementType.INT64);
    l.asLongBuffer().put(new long[] {Long.MIN_VALUE, -5, 1L << 40, 0, 1, 2});
    assertArrayEquals(new float[] {-0x1p63f, -5, 0x1p40f, 0, 1, 2}, seen(ElementType.INT64, l));

    Tensor i = tensor(ElementType.INT32);
    i.asIntBuffer().put(new int[] {Integer.MIN_VALUE, 7, -1, 0, 1, 2});
    assertArrayEquals(new float[] {-0x1p31f, 7, -1, 0, 1, 2}, seen(ElementType.INT32, i));

    Tensor b = tensor(ElementType.INT8);
    b.asByteBuffer().put(new byte[] {-128, 127, 0, 1, 2, 3});
    assertArrayEquals(new float[] {-128, 127, 0, 1, 2, 3}, seen(ElementType.INT8, b));

    Tensor u = tensor(ElementType.UINT8);
    u.asByteBuffer().put(new byte[] {0, (byte) 255, (byte) 128, 1, 2, 3});
    assertArrayEquals(new float[] {0, 255, 128, 1, 2, 3}, seen(ElementType.UINT8, u));

    Tensor t = tensor(ElementType.BOOL);
    t.asByteBuffer().put(new byte[] {1, 0, 1, 0, 0, 1});
    assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1}, seen(ElementType.BOOL, t));
  }
}
