package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.inferlake.model.testing.TestModels;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OnnxModelReaderTest {

  @Test
  void readsTheSignatureOnnxRuntimeSees() throws Exception {
    byte[] bytes = TestModels.linear(7, 3, 1).onnxBytes();
    ModelSignature sig = OnnxModelReader.signature(bytes, "test model");

    assertEquals(1, sig.inputs().size(), "initializers must not be listed as inputs");
    TensorSpec in = sig.inputs().get(0);
    assertEquals("input", in.name());
    assertEquals(ElementType.FLOAT, in.type());
    assertArrayEquals(new long[] {-1, 7}, in.shape());
    assertEquals(7, in.elementsPerRow());
    assertEquals("probabilities", sig.outputs().get(0).name());

    // Cross-check against a real ONNX Runtime session's own view of the model.
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(bytes, new OrtSession.SessionOptions())) {
      assertEquals(s.getInputNames(), java.util.Set.of(in.name()));
      assertEquals(s.getOutputNames(), java.util.Set.of(sig.outputs().get(0).name()));
    }
  }

  @Test
  void refusesBytesThatAreNotOnnx() {
    byte[] notOnnx = "this is a csv file,\n1,2,3\n".getBytes(StandardCharsets.UTF_8);
    InferlakeException e =
        assertThrows(
            InferlakeException.class, () -> OnnxModelReader.signature(notOnnx, "model 'm:v1'"));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().startsWith("model 'm:v1' is not an ONNX model"), e.getMessage());
  }

  @Test
  void elementsPerRowIsUnknownForDynamicFeatureDimensions() {
    assertEquals(-1, new TensorSpec("x", ElementType.FLOAT, new long[] {-1, -1}).elementsPerRow());
    assertEquals(
        12, new TensorSpec("x", ElementType.FLOAT, new long[] {-1, 3, 4}).elementsPerRow());
  }

  @Test
  void digestIsSha256OfTheBytes() {
    // Known SHA-256 of the empty input (FIPS 180-2 test vectors).
    assertEquals(
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ModelDigest.sha256(new byte[0]));
  }
}
