package dev.inferlake.executors.internal;

import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@link dev.inferlake.executors.Runner#run} contract, checked the same way for every engine
 * before a batch reaches it: the caller's tensors against the model's signature. A failure is a
 * caller's bug, reported as {@link IllegalArgumentException}.
 */
public final class SignatureCheck {
  private SignatureCheck() {}

  /**
   * Checks that {@code inputs} holds exactly the signature's inputs, each of the signature's
   * element type and shaped for {@code rows} examples.
   */
  public static void inputs(ModelSignature signature, Map<String, Tensor> inputs, int rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, was " + rows);
    }
    for (String name : inputs.keySet()) {
      if (signature.input(name).isEmpty()) {
        throw new IllegalArgumentException("the model has no input '" + name + "'");
      }
    }
    for (TensorSpec spec : signature.inputs()) {
      Tensor t = inputs.get(spec.name());
      if (t == null) {
        throw new IllegalArgumentException("input '" + spec.name() + "' (" + spec + ") is missing");
      }
      sameType(spec, t, "input");
      long[] want = spec.shape();
      long[] have = t.shape();
      boolean fits = want.length == have.length && have[0] == rows;
      for (int i = 1; fits && i < want.length; i++) {
        fits = want[i] < 0 || want[i] == have[i];
      }
      if (!fits) {
        throw new IllegalArgumentException(
            "input '"
                + spec.name()
                + "' is shaped "
                + Arrays.toString(have)
                + ", which does not fit "
                + spec
                + " for "
                + rows
                + " rows");
      }
    }
  }

  /** The signature's spec for a wanted output, checking the tensor's element type. */
  public static TensorSpec output(ModelSignature signature, String name, Tensor out) {
    TensorSpec spec =
        signature
            .output(name)
            .orElseThrow(
                () -> new IllegalArgumentException("the model has no output '" + name + "'"));
    sameType(spec, out, "output");
    return spec;
  }

  /**
   * The shape of {@code rows} examples of {@code spec}, or null when a dimension after the batch is
   * dynamic (only the engine knows it then).
   */
  public static long[] fixedShape(TensorSpec spec, int rows) {
    long[] shape = spec.shape();
    if (shape.length == 0 || spec.elementsPerRow() < 0) {
      return null;
    }
    shape[0] = rows;
    return shape;
  }

  private static void sameType(TensorSpec spec, Tensor t, String what) {
    if (t.type() != spec.type()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + spec.name()
              + "' is "
              + spec
              + ", but the tensor holds "
              + t.type().lowerName()
              + " values");
    }
  }
}
