package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.Device;
import dev.inferlake.executors.ImageFeed;
import dev.inferlake.executors.ImagePreprocessor;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelFormat;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.model.testing.DigitsCnn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image model of {@code scripts/models/digits_cnn.py} on its 450 held-out picture files (RGB
 * PNG, grey PNG, JPEG; 24 to 56 pixels a side, so both shrinking and enlarging resizes), decoded
 * and preprocessed by {@link ImagePreprocessor} and scored at the runner level, against what
 * PyTorch computed from the same files through PIL and torchvision.
 */
class DigitsCnnParityTest {
  private static final RunnerOptions CPU = new RunnerOptions(1, Device.CPU);

  @Test
  void theSignatureIsOneFloatPictureInputAndTheReferenceCoversEveryFile() {
    ModelSignature onnx = ModelFormat.ONNX.signature(DigitsCnn.onnx(), "onnx");
    TensorSpec in = onnx.input(DigitsCnn.INPUT).orElseThrow();
    assertEquals(ElementType.FLOAT, in.type());
    assertArrayEquals(DigitsCnn.SHAPE, in.shape());
    assertEquals(onnx, ModelFormat.TORCHSCRIPT.signature(DigitsCnn.torchScript(), "pt"));
    List<DigitsCnn.Reference> ref = DigitsCnn.reference();
    assertEquals(DigitsCnn.PICTURES, ref.size());
    long jpegs = ref.stream().filter(r -> r.file().endsWith(".jpg")).count();
    assertEquals(55, jpegs);
    // the script's held-out accuracy, 423 of 450
    assertEquals(423, ref.stream().filter(r -> r.predicted() == r.label()).count());
  }

  /**
   * PNG decoding is lossless and the resize is PIL's own integer arithmetic, so every PNG gives
   * PIL's values bit for bit: the sums agree to the rounding of summing 2,352 floats in another
   * order. JPEG decoding could differ (a level on a pixel moves a value by 1/255/0.224 = 0.018),
   * but the JDK's decoder (IJG libjpeg, integer IDCT, fancy upsampling) and PIL's libjpeg-turbo
   * agree on every pixel of these JPEGs (4:2:0, quality 90): the measured difference is 0.
   */
  @Test
  void preprocessingGivesPilsValues() {
    ImagePreprocessor p =
        new ImagePreprocessor(
            DigitsCnn.PREPROCESSING, DigitsCnn.SHAPE, ImageFeed.DEFAULT_MAX_PIXELS);
    float[] v = new float[p.valuesPerPicture()];
    double png = 0;
    double jpeg = 0;
    for (DigitsCnn.Reference r : DigitsCnn.reference()) {
      assertNull(p.preprocess(DigitsCnn.picture(r.file()), v, 0), r.file());
      double sum = 0;
      for (float x : v) {
        sum += x;
      }
      double diff = Math.abs(sum - r.pixelSum());
      if (r.file().endsWith(".png")) {
        png = Math.max(png, diff);
      } else {
        jpeg = Math.max(jpeg, diff);
      }
    }
    System.out.printf(
        "digits-cnn preprocessing vs PIL + torchvision: max |sum diff| over 2,352 values, PNG %.3g,"
            + " JPEG %.3g%n",
        png, jpeg);
    assertTrue(png <= 1e-6, "PNG sums differ by " + png);
    assertTrue(jpeg <= 1e-6, "JPEG sums differ by " + jpeg);
  }

  @Test
  void onnxRuntimeMatchesPyTorchWithin1e4AtEveryBatchSize() {
    try (OnnxRunner ort = OnnxRunner.load(DigitsCnn.onnx(), "digits-cnn:onnx", CPU)) {
      float[] first = null;
      for (int batch : List.of(1, 7, 64)) {
        float[] got = score(ort, batch);
        double max = maxDiff(got);
        System.out.printf(
            "digits-cnn ONNX Runtime, batches of %d, vs PyTorch: max |diff| %.3g%n", batch, max);
        assertTrue(max <= 1e-4, "batch " + batch + ": max |diff| " + max);
        if (first == null) {
          first = got;
        } else {
          for (int i = 0; i < got.length; i++) {
            assertEquals(first[i], got[i], 1e-6, "batch invariance at " + i);
          }
        }
      }
    }
  }

  @Test
  void torchScriptMatchesPyTorchWithin1e4() {
    byte[] pt = DigitsCnn.torchScript();
    ModelSignature sig = ModelFormat.TORCHSCRIPT.signature(pt, "pt");
    try (DjlRunner torch = DjlRunner.load(pt, sig, "digits-cnn:pt", CPU)) {
      for (int batch : List.of(1, 64)) {
        double max = maxDiff(score(torch, batch));
        System.out.printf(
            "digits-cnn TorchScript (DJL), batches of %d, vs PyTorch: max |diff| %.3g%n",
            batch, max);
        assertTrue(max <= 1e-4, "batch " + batch + ": max |diff| " + max);
      }
    }
  }

  /** Max |diff| of the probabilities against the reference, over every picture and class. */
  private static double maxDiff(float[] got) {
    List<DigitsCnn.Reference> ref = DigitsCnn.reference();
    double max = 0;
    for (int r = 0; r < ref.size(); r++) {
      for (int k = 0; k < DigitsCnn.CLASSES; k++) {
        max =
            Math.max(max, Math.abs(got[r * DigitsCnn.CLASSES + k] - ref.get(r).probabilities()[k]));
      }
    }
    return max;
  }

  /** Every reference picture's probabilities, preprocessed here and scored in batches. */
  private static float[] score(Runner runner, int batch) {
    List<DigitsCnn.Reference> ref = DigitsCnn.reference();
    ImagePreprocessor p =
        new ImagePreprocessor(
            DigitsCnn.PREPROCESSING, DigitsCnn.SHAPE, ImageFeed.DEFAULT_MAX_PIXELS);
    int per = p.valuesPerPicture();
    Tensor in = Tensor.allocate(ElementType.FLOAT, batch, 3, 28, 28);
    Tensor out = Tensor.allocate(ElementType.FLOAT, batch, DigitsCnn.CLASSES);
    float[] staging = new float[batch * per];
    float[] all = new float[ref.size() * DigitsCnn.CLASSES];
    for (int from = 0; from < ref.size(); from += batch) {
      int m = Math.min(batch, ref.size() - from);
      for (int r = 0; r < m; r++) {
        assertNull(p.preprocess(DigitsCnn.picture(ref.get(from + r).file()), staging, r * per));
      }
      in.setRows(m).asFloatBuffer().put(0, staging, 0, m * per);
      out.setRows(m);
      runner.run(Map.of(DigitsCnn.INPUT, in), m, Map.of(DigitsCnn.OUTPUT, out));
      out.asFloatBuffer().get(0, all, from * DigitsCnn.CLASSES, m * DigitsCnn.CLASSES);
    }
    return all;
  }
}
