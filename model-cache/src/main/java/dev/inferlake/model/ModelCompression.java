package dev.inferlake.model;

import java.util.List;
import java.util.Map;

/**
 * Compresses an ONNX model by rewriting its graph: int8 weights, int8 integer kernels, half
 * precision, or magnitude pruning ({@link CompressionMethod}). The rewritten model keeps the inputs
 * and outputs of the original, so any job that scores one scores the other.
 */
public final class ModelCompression {
  private ModelCompression() {}

  /**
   * A compressed model.
   *
   * @param model the rewritten ONNX bytes
   * @param method the method applied
   * @param parameters the method's parameters and what it rewrote, as the manifest records them
   * @param tensors weight tensors rewritten
   * @param weights values in those tensors
   * @param left what the method left as it was, each with the reason
   */
  public record Compressed(
      byte[] model,
      CompressionMethod method,
      Map<String, String> parameters,
      int tensors,
      long weights,
      List<String> left) {}

  /**
   * Rewrites a model.
   *
   * @param raw the ONNX model, weights inline
   * @param what the model, as messages name it
   * @throws InferlakeException MODEL when the bytes are not ONNX, when nothing can be rewritten, or
   *     when the model needs what the method does not support (external weights, an old opset)
   */
  public static Compressed compress(byte[] raw, CompressionMethod method, String what) {
    ModelFormat format = ModelFormat.detect(raw, what);
    if (format != ModelFormat.ONNX) {
      throw ModelErrors.compressesOnnxOnly(what, format);
    }
    ModelSignature before = OnnxModelReader.signature(raw, what);
    OnnxRewriter.Result r = OnnxRewriter.rewrite(raw, method, what);
    ModelSignature after = OnnxModelReader.signature(r.model(), what);
    if (!before.equals(after)) {
      throw new IllegalStateException(
          "compressing " + what + " changed its signature: " + before + " became " + after);
    }
    return new Compressed(r.model(), method, r.parameters(), r.tensors(), r.weights(), r.left());
  }
}
