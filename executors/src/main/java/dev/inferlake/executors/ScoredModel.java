package dev.inferlake.executors;

import dev.inferlake.model.ModelManifest;
import java.io.Serializable;
import java.util.List;

/**
 * One model version as the executors see it: its manifest, how to fill its inputs, which output to
 * keep, and where its package payload comes from.
 *
 * @param manifest the package manifest; its digest is checked before bytes reach the engine
 * @param inputs one binding per model input
 * @param outputName the model output stored as predictions
 * @param outputWidth values per example in that output: {@code > 1} makes the model a classifier
 *     (prediction = arg max, probabilities stored), {@code 1} a regressor
 * @param source the package payload (compressed, and encrypted if the manifest says so)
 * @param payloadDigest {@code sha256:} of the payload as the driver shipped it
 * @param key the decryption key reference for an encrypted package, or null
 */
public record ScoredModel(
    ModelManifest manifest,
    List<InputBinding> inputs,
    String outputName,
    int outputWidth,
    ModelSource source,
    String payloadDigest,
    KeyRef key)
    implements Serializable {

  public ScoredModel {
    inputs = List.copyOf(inputs);
    if (outputWidth < 1) {
      throw new IllegalArgumentException("outputWidth must be >= 1, was " + outputWidth);
    }
  }

  public String name() {
    return manifest.name();
  }

  public String version() {
    return manifest.version();
  }

  public String digest() {
    return manifest.sha256();
  }

  /** {@code name:version}, as messages name a model. */
  public String label() {
    return manifest.label();
  }

  public boolean isClassifier() {
    return outputWidth > 1;
  }
}
