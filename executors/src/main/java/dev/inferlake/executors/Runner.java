package dev.inferlake.executors;

import dev.inferlake.model.ModelSignature;
import java.util.Map;

/**
 * One loaded model, ready to score batches; engine-neutral: an {@link Engine} made it for the
 * model's format (ONNX Runtime for ONNX, DJL's PyTorch engine for TorchScript).
 *
 * <p>Batches travel as typed {@link Tensor}s. Float32 is the zero-copy path: an engine reads the
 * input tensors' direct memory in place, and ONNX Runtime writes fixed-shape numeric outputs
 * straight into the caller's output tensors. Other types, and outputs whose shape only the engine
 * knows, may be copied once, never boxed value by value.
 *
 * <p>Implementations are thread-safe: one runner per model version per executor JVM serves every
 * task, each task with tensors of its own. The runner owns its native resources; the {@link
 * ExecutorRunners} cache that created it closes it. A runner keeps no reference to the tensors of a
 * call after it returns.
 */
public interface Runner extends AutoCloseable {

  /** Where batches run: {@code cpu}, or {@code cuda:N} for GPU N. */
  default String device() {
    return "cpu";
  }

  /** The model's inputs and outputs. */
  ModelSignature signature();

  /**
   * Runs one batch.
   *
   * @param inputs every model input, by name, in the element type its {@link #signature} gives and
   *     shaped for this batch ({@code shape[0] == rows}, the other dimensions as the signature
   *     fixes them); read during the call, never written or kept
   * @param rows the number of examples in this batch (the batch dimension)
   * @param outputs the outputs wanted, by name, each allocated by the caller in the element type
   *     the signature gives, with room for this batch; the runner sets each one's shape to what the
   *     model produced ({@code shape[0] == rows}) and writes its values. Outputs not named are not
   *     fetched.
   * @throws IllegalArgumentException when an input is missing or not in the signature, or an input
   *     or output has the wrong element type or shape, or an output is too small
   * @throws dev.inferlake.model.InferlakeException of kind MODEL when the engine fails
   */
  void run(Map<String, Tensor> inputs, int rows, Map<String, Tensor> outputs);

  /** Releases native resources. */
  @Override
  void close();
}
