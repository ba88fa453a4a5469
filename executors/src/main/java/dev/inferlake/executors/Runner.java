package dev.inferlake.executors;

import dev.inferlake.model.ModelSignature;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One loaded model, ready to score batches; engine-neutral: ONNX Runtime for ONNX models, DJL's
 * PyTorch engine for TorchScript, chosen by the format in the model's manifest.
 *
 * <p>Implementations are thread-safe: one runner per model version per executor JVM serves every
 * task. The runner owns its native resources; the {@link ExecutorRunners} cache that created it
 * closes it.
 */
public interface Runner extends AutoCloseable {

  /** Where batches run: {@code cpu}, or {@code cuda:N} for GPU N. */
  default String device() {
    return "cpu";
  }

  /** The model's inputs and outputs. */
  ModelSignature signature();

  /**
   * Runs one batch and copies one output into {@code out}.
   *
   * @param inputs for each model input, a direct native-order buffer holding {@code rows *
   *     elementsPerRow} values from index 0, row-major; read during the call and not kept
   * @param rows the number of examples in this batch (the batch dimension)
   * @param outputName which model output to return
   * @param out receives {@code rows * width} output values from index 0, row-major; must be large
   *     enough
   * @return the output width (values per example)
   * @throws dev.inferlake.model.InferlakeException of kind MODEL when the engine fails
   */
  int run(Map<String, FloatBuffer> inputs, int rows, String outputName, FloatBuffer out);

  /** Releases native resources. */
  @Override
  void close();
}
