package dev.inferlake.executors.internal;

import dev.inferlake.executors.Engine;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.model.ModelSignature;
import java.nio.file.Path;

/**
 * ONNX Runtime: one session per runner, in the JVM's one {@code OrtEnvironment}. Loads from a file
 * when it can, so that external data files beside the model are found.
 */
public final class OnnxEngine implements Engine {

  @Override
  public String name() {
    return "ONNX Runtime";
  }

  @Override
  public boolean loadsFromFile() {
    return true;
  }

  /** Reads the signature from the model graph itself, which the bytes' digest vouches for. */
  @Override
  public Runner load(byte[] model, ModelSignature signature, String label, RunnerOptions options) {
    return OnnxRunner.load(model, label, options);
  }

  @Override
  public Runner load(Path file, ModelSignature signature, String label, RunnerOptions options) {
    return OnnxRunner.load(file, signature, label, options);
  }
}
