package dev.inferlake.executors.internal;

import dev.inferlake.executors.Engine;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.model.ModelSignature;

/**
 * DJL's PyTorch engine for TorchScript, started offline on first load. TorchScript archives carry
 * no external data, so models load from bytes.
 */
public final class DjlEngine implements Engine {

  @Override
  public String name() {
    return "PyTorch (DJL)";
  }

  @Override
  public boolean loadsFromFile() {
    return false;
  }

  @Override
  public Runner load(byte[] model, ModelSignature signature, String label, RunnerOptions options) {
    return DjlRunner.load(model, signature, label, options);
  }
}
