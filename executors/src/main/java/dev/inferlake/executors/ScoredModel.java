package dev.inferlake.executors;

import java.io.Serializable;
import java.util.List;

/**
 * One model version as the executors see it: identity, how to fill its inputs, which output to
 * keep, and where its bytes come from.
 *
 * @param name model name
 * @param version model version
 * @param digest {@code sha256:...} of the model bytes; checked before the bytes reach the engine
 * @param inputs one binding per model input
 * @param outputName the model output stored as predictions
 * @param outputWidth values per example in that output: {@code > 1} makes the model a classifier
 *     (prediction = arg max, probabilities stored), {@code 1} a regressor
 * @param source the model bytes
 */
public record ScoredModel(
    String name,
    String version,
    String digest,
    List<InputBinding> inputs,
    String outputName,
    int outputWidth,
    ModelSource source)
    implements Serializable {

  public ScoredModel {
    inputs = List.copyOf(inputs);
    if (outputWidth < 1) {
      throw new IllegalArgumentException("outputWidth must be >= 1, was " + outputWidth);
    }
  }

  /** {@code name:version}, as messages name a model. */
  public String label() {
    return name + ":" + version;
  }

  public boolean isClassifier() {
    return outputWidth > 1;
  }
}
