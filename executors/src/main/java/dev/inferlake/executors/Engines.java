package dev.inferlake.executors;

import dev.inferlake.executors.internal.DjlEngine;
import dev.inferlake.executors.internal.OnnxEngine;
import dev.inferlake.model.ModelFormat;
import java.util.Objects;

/**
 * The engine for each model format. {@link #defaults()} holds the real engines; tests build a table
 * of fakes.
 *
 * @param onnx runs {@link ModelFormat#ONNX} models
 * @param torchScript runs {@link ModelFormat#TORCHSCRIPT} models
 */
public record Engines(Engine onnx, Engine torchScript) {

  public Engines {
    Objects.requireNonNull(onnx, "onnx");
    Objects.requireNonNull(torchScript, "torchScript");
  }

  /** ONNX Runtime for ONNX, DJL's PyTorch engine for TorchScript. Loads no native library yet. */
  public static Engines defaults() {
    return new Engines(new OnnxEngine(), new DjlEngine());
  }

  /** The engine that runs models of this format. */
  public Engine forFormat(ModelFormat format) {
    return switch (format) {
      case ONNX -> onnx;
      case TORCHSCRIPT -> torchScript;
    };
  }
}
