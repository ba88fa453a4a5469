package dev.inferlake.driver.registry;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** Opens a model in ONNX Runtime, with every graph optimization, and closes it again. */
public final class OnnxLoadCheck {
  private OnnxLoadCheck() {}

  /**
   * @throws dev.inferlake.model.InferlakeException MODEL with ONNX Runtime's reason when the model
   *     does not load
   */
  public static void check(byte[] model, String label) {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      so.setIntraOpNumThreads(1);
      try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model, so)) {
        s.getNumOutputs();
      }
    } catch (OrtException e) {
      throw RegistryErrors.compressedDoesNotLoad(label, e.getMessage(), e);
    }
  }
}
