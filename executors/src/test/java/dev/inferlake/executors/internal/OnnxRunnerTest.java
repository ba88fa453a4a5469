package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every element type through a real ONNX Runtime session: an Identity model per type, whose output
 * must come back exactly as the input went in, through a pinned output (fixed shape) and through a
 * copied one (a dynamic dimension).
 */
class OnnxRunnerTest {
  private static final RunnerOptions CPU = new RunnerOptions(1, Device.CPU);

  /** Identity from {@code x} to {@code y}, both {@code type[N, 3]}, or {@code type[N, M]}. */
  private static byte[] identity(ElementType type, boolean dynamicOutput) {
    OnnxMl.GraphProto g =
        OnnxMl.GraphProto.newBuilder()
            .setName("identity")
            .addNode(
                OnnxMl.NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"))
            .addInput(value("x", type, false))
            .addOutput(value("y", type, dynamicOutput))
            .build();
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("inferlake-tests")
        .setGraph(g)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13))
        .build()
        .toByteArray();
  }

  private static OnnxMl.ValueInfoProto value(String name, ElementType type, boolean dynamic) {
    OnnxMl.TensorShapeProto.Builder shape =
        OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
            .addDim(
                dynamic
                    ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("M")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(3));
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(onnxCode(type).getNumber())
                        .setShape(shape)))
        .build();
  }

  private static OnnxMl.TensorProto.DataType onnxCode(ElementType type) {
    return switch (type) {
      case FLOAT -> OnnxMl.TensorProto.DataType.FLOAT;
      case DOUBLE -> OnnxMl.TensorProto.DataType.DOUBLE;
      case INT64 -> OnnxMl.TensorProto.DataType.INT64;
      case INT32 -> OnnxMl.TensorProto.DataType.INT32;
      case INT8 -> OnnxMl.TensorProto.DataType.INT8;
      case UINT8 -> OnnxMl.TensorProto.DataType.UINT8;
      case BOOL -> OnnxMl.TensorProto.DataType.BOOL;
      case FLOAT16 -> OnnxMl.TensorProto.DataType.FLOAT16;
      case STRING -> OnnxMl.TensorProto.DataType.STRING;
      case OTHER -> throw new AssertionError(type);
    };
  }

  /** Two rows of distinct values, written through the tensor's typed view. */
  private static Tensor input(ElementType type) {
    Tensor t = Tensor.allocate(type, 4, 3).setRows(2); // capacity for more rows than this batch
    switch (type) {
      case FLOAT -> t.asFloatBuffer().put(new float[] {1.5f, -2, 3e30f, 0, 5, 6});
      case DOUBLE -> t.asDoubleBuffer().put(new double[] {1e300, -2, 0.1, 4, 5, 6});
      case INT64 -> t.asLongBuffer().put(new long[] {Long.MAX_VALUE, -2, 3, 4, 5, Long.MIN_VALUE});
      case INT32 -> t.asIntBuffer().put(new int[] {Integer.MIN_VALUE, -2, 3, 4, 5, 6});
      case INT8, UINT8 -> t.asByteBuffer().put(new byte[] {-128, -1, 0, 1, 2, 127});
      case BOOL -> t.asByteBuffer().put(new byte[] {1, 0, 0, 1, 1, 0});
      case FLOAT16 ->
          t.asShortBuffer().put(new short[] {0x3C00, (short) 0xC000, 0x0000, 0x7BFF, 0x3800, 1});
      case STRING ->
          System.arraycopy(new String[] {"a", "", "héllo", "d", "e", "f"}, 0, t.strings(), 0, 6);
      case OTHER -> throw new AssertionError(type);
    }
    return t;
  }

  private static void assertSameValues(Tensor want, Tensor got) {
    assertArrayEquals(want.shape(), got.shape());
    if (want.type() == ElementType.STRING) {
      for (int i = 0; i < want.size(); i++) {
        assertEquals(want.strings()[i], got.strings()[i], "string " + i);
      }
    } else {
      ByteBuffer w = want.bytes();
      ByteBuffer g = got.bytes();
      assertEquals(w, g, want.type() + " values");
    }
  }

  @Test
  void everyElementTypeGoesInAndComesBackUnchanged() {
    for (ElementType type : ElementType.values()) {
      if (type == ElementType.OTHER) {
        continue;
      }
      for (boolean dynamic : new boolean[] {false, true}) {
        String label = type.lowerName() + (dynamic ? " (copied output)" : " (pinned output)");
        try (OnnxRunner r = OnnxRunner.load(identity(type, dynamic), label, CPU)) {
          Tensor in = input(type);
          Tensor out = Tensor.withCapacity(type, 12);
          r.run(Map.of("x", in), 2, Map.of("y", out));
          assertSameValues(in, out);
        }
      }
    }
  }

  @Test
  void tensorsThatBreakTheContractAreRefusedBeforeTheEngine() {
    try (OnnxRunner r = OnnxRunner.load(identity(ElementType.INT64, false), "i:v1", CPU)) {
      ModelSignature sig = r.signature();
      assertEquals(new TensorSpec("x", ElementType.INT64, new long[] {-1, 3}), sig.inputs().get(0));
      Tensor out = Tensor.withCapacity(ElementType.INT64, 6);
      IllegalArgumentException type =
          assertThrows(
              IllegalArgumentException.class,
              () -> r.run(Map.of("x", input(ElementType.FLOAT)), 2, Map.of("y", out)));
      assertTrue(type.getMessage().contains("holds float values"), type.getMessage());
      IllegalArgumentException rows =
          assertThrows(
              IllegalArgumentException.class,
              () -> r.run(Map.of("x", input(ElementType.INT64)), 3, Map.of("y", out)));
      assertTrue(rows.getMessage().contains("for 3 rows"), rows.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> r.run(Map.of("x", input(ElementType.INT64)), 2, Map.of("z", out)));
      assertThrows(
          IllegalArgumentException.class,
          () ->
              r.run(
                  Map.of("x", input(ElementType.INT64)),
                  2,
                  Map.of("y", Tensor.withCapacity(ElementType.INT64, 5))));
    }
  }

  @Test
  void anOutputOfAShapeOnlyTheModelKnowsMustFitItsTensor() {
    try (OnnxRunner r = OnnxRunner.load(identity(ElementType.DOUBLE, true), "d:v1", CPU)) {
      Tensor small = Tensor.withCapacity(ElementType.DOUBLE, 5);
      InferlakeException e =
          assertThrows(
              InferlakeException.class,
              () -> r.run(Map.of("x", input(ElementType.DOUBLE)), 2, Map.of("y", small)));
      assertEquals(ErrorKind.MODEL, e.kind());
      assertTrue(
          e.getMessage().contains("output 'y' came back shaped [2, 3], which does not fit"),
          e.getMessage());
    }
  }
}
