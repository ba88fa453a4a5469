package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.Device;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelFormat;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.testing.Digits;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The same trained PyTorch network, exported once as TorchScript and once as ONNX, scored by DJL's
 * PyTorch engine and by ONNX Runtime on the 450 held-out digits.
 */
class DjlRunnerTest {
  @Test
  void torchScriptAndOnnxExportsOfOneNetworkAgreeWithin1e5() throws Exception {
    byte[] pt = Files.readAllBytes(Digits.folder().resolve("digits-mlp.pt"));
    byte[] onnx = Digits.model();
    assertEquals(ModelFormat.TORCHSCRIPT, ModelFormat.detect(pt, "pt"));
    ModelSignature sig = ModelFormat.TORCHSCRIPT.signature(pt, "pt");
    assertEquals(ModelFormat.ONNX.signature(onnx, "onnx"), sig, "the two exports' signatures");

    Digits.Rows rows = Digits.rows("test");
    int n = rows.size();
    Tensor in = Tensor.allocate(ElementType.FLOAT, n, Digits.PIXELS);
    in.asFloatBuffer().put(rows.pixels());
    Tensor torchOut = Tensor.allocate(ElementType.FLOAT, n, Digits.CLASSES);
    Tensor onnxOut = Tensor.allocate(ElementType.FLOAT, n, Digits.CLASSES);
    RunnerOptions options = new RunnerOptions(1, Device.CPU);
    FloatBuffer fromTorch;
    FloatBuffer fromOnnx;
    try (DjlRunner torch = DjlRunner.load(pt, sig, "digits:pt", options);
        OnnxRunner ort = OnnxRunner.load(onnx, "digits:onnx", options)) {
      // in two batches, to cover the batch dimension
      int half = n / 2;
      torch.run(Map.of("pixels", in), n, Map.of("probabilities", torchOut));
      assertEquals(10, torchOut.shape()[1]);
      ort.run(Map.of("pixels", in), n, Map.of("probabilities", onnxOut));
      assertEquals(10, onnxOut.shape()[1]);
      fromTorch = torchOut.asFloatBuffer();
      fromOnnx = onnxOut.asFloatBuffer();
      Tensor second = Tensor.allocate(ElementType.FLOAT, n - half, Digits.CLASSES);
      Tensor tail = Tensor.allocate(ElementType.FLOAT, n - half, Digits.PIXELS);
      tail.asFloatBuffer().put(rows.pixels(), half * Digits.PIXELS, (n - half) * Digits.PIXELS);
      torch.run(Map.of("pixels", tail), n - half, Map.of("probabilities", second));
      FloatBuffer secondValues = second.asFloatBuffer();
      for (int i = 0; i < (n - half) * Digits.CLASSES; i++) {
        assertEquals(fromTorch.get(half * Digits.CLASSES + i), secondValues.get(i), 1e-6);
      }
    }
    double max = 0;
    int agree = 0;
    for (int r = 0; r < n; r++) {
      int a = 0;
      int b = 0;
      for (int k = 0; k < Digits.CLASSES; k++) {
        int i = r * Digits.CLASSES + k;
        max = Math.max(max, Math.abs(fromTorch.get(i) - fromOnnx.get(i)));
        a = fromTorch.get(i) > fromTorch.get(r * Digits.CLASSES + a) ? k : a;
        b = fromOnnx.get(i) > fromOnnx.get(r * Digits.CLASSES + b) ? k : b;
      }
      agree += a == b ? 1 : 0;
    }
    System.out.printf("TorchScript vs ONNX on %d rows: max |diff| %.3g%n", n, max);
    assertTrue(max <= 1e-5, "max |p_torch - p_onnx| = " + max);
    assertEquals(n, agree);
    // the probabilities are real: each row sums to 1
    double sum = 0;
    for (int k = 0; k < Digits.CLASSES; k++) {
      sum += fromTorch.get(k);
    }
    assertEquals(1.0, sum, 1e-5);
  }

  @Test
  void aRequiredGpuIsRefusedByTheCpuBuild() throws Exception {
    byte[] pt = Files.readAllBytes(Digits.folder().resolve("digits-mlp.pt"));
    ModelSignature sig = ModelFormat.TORCHSCRIPT.signature(pt, "pt");
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> DjlRunner.load(pt, sig, "d:pt", new RunnerOptions(1, Device.GPU_REQUIRED)));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().contains("requires a GPU"), e.getMessage());
    assertTrue(e.getMessage().contains("pytorch-native-cpu"), e.getMessage());
  }

  @Test
  void theModelBytesReachNoFileWhileTheRunnerIsOpen() throws Exception {
    byte[] pt = Files.readAllBytes(Digits.folder().resolve("digits-mlp.pt"));
    ModelSignature sig = ModelFormat.TORCHSCRIPT.signature(pt, "pt");
    // the tests point java.io.tmpdir into target/; a copy another test left there is not ours
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = filesHolding(tmp, pt);
    try (DjlRunner torch = DjlRunner.load(pt, sig, "digits:pt", new RunnerOptions(1, Device.CPU))) {
      List<Path> copies = filesHolding(tmp, pt);
      copies.removeAll(before);
      assertEquals(List.of(), copies, "files under " + tmp + " holding the decrypted model");
      Tensor in = Tensor.allocate(ElementType.FLOAT, 1, Digits.PIXELS);
      Tensor out = Tensor.allocate(ElementType.FLOAT, 1, Digits.CLASSES);
      torch.run(Map.of("pixels", in), 1, Map.of("probabilities", out));
      assertEquals(10, out.shape()[1], "the module loaded from memory runs");
    }
  }

  /** The regular files under a folder whose content is exactly the given bytes. */
  private static List<Path> filesHolding(Path root, byte[] bytes) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (Files.size(f) == bytes.length && Arrays.equals(bytes, Files.readAllBytes(f))) {
          found.add(f);
        }
      }
    }
    return found;
  }
}
