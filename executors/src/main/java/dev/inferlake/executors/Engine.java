package dev.inferlake.executors;

import dev.inferlake.model.ModelSignature;
import java.nio.file.Path;

/**
 * Makes {@link Runner}s for one model format; {@link Engines} holds one per format. Engines are
 * stateless and thread-safe; every runner they make is owned by the caller, which must close it (in
 * scoring, the {@link ExecutorRunners} cache).
 */
public interface Engine {

  /** The engine's name as messages give it, e.g. {@code ONNX Runtime}. */
  String name();

  /**
   * Whether the engine would rather load a model from a file on local disk than from bytes in
   * memory: it then finds tensors a model keeps in external data files beside it, and a large model
   * never has to fit one array. Decides whether storage shipping materializes the package on disk
   * ({@link StorageModelSource#materialize}) for {@link #load(Path, ModelSignature, String,
   * RunnerOptions)}.
   */
  boolean loadsFromFile();

  /**
   * Loads a model from its raw (unpacked, digest-checked) bytes; the array is not kept.
   *
   * @param signature the model's inputs and outputs, as its manifest records them
   * @param label the model as messages name it ({@code name:version})
   * @throws dev.inferlake.model.InferlakeException of kind MODEL when the engine cannot start or
   *     the model does not load
   */
  Runner load(byte[] model, ModelSignature signature, String label, RunnerOptions options);

  /**
   * Loads a model from a file; only for an engine that {@link #loadsFromFile}.
   *
   * @throws UnsupportedOperationException when the engine does not load from files
   * @throws dev.inferlake.model.InferlakeException of kind MODEL as {@link #load(byte[],
   *     ModelSignature, String, RunnerOptions)} does
   */
  default Runner load(Path file, ModelSignature signature, String label, RunnerOptions options) {
    throw new UnsupportedOperationException(name() + " does not load models from files");
  }
}
