package dev.inferlake.executors;

import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.TensorSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One model version as the executors see it: its manifest, how to fill its inputs, which output its
 * task reads, which outputs are stored as they are, and where its package payload comes from.
 *
 * @param manifest the package manifest; its digest is checked before bytes reach the engine
 * @param inputs one binding per model input
 * @param outputName the model output the task reads; null for a {@link Task.Kind#RAW} task
 * @param outputWidth values per example in that output (0 for a raw task)
 * @param source the package payload (compressed, and encrypted if the manifest says so)
 * @param payloadDigest {@code sha256:} of the payload as the driver shipped it
 * @param key the decryption key reference for an encrypted package, or null
 * @param task what the task output means
 * @param stored the model outputs stored as they are in the {@code outputs} struct column, in the
 *     job's order; empty for none
 */
public record ScoredModel(
    ModelManifest manifest,
    List<InputBinding> inputs,
    String outputName,
    int outputWidth,
    ModelSource source,
    String payloadDigest,
    KeyRef key,
    Task task,
    List<TensorSpec> stored)
    implements Serializable {

  public ScoredModel {
    inputs = List.copyOf(inputs);
    stored = stored == null ? List.of() : List.copyOf(stored);
    Objects.requireNonNull(task, "task");
    if (task.kind() == Task.Kind.RAW) {
      if (stored.isEmpty()) {
        throw new IllegalArgumentException("a raw task stores at least one output");
      }
    } else {
      Objects.requireNonNull(outputName, "outputName");
      if (outputWidth < 1) {
        throw new IllegalArgumentException("outputWidth must be >= 1, was " + outputWidth);
      }
    }
  }

  /**
   * A model whose one output is read by today's default task: a classifier when it holds more than
   * one value per row, else a regressor; nothing else is stored.
   */
  public ScoredModel(
      ModelManifest manifest,
      List<InputBinding> inputs,
      String outputName,
      int outputWidth,
      ModelSource source,
      String payloadDigest,
      KeyRef key) {
    this(
        manifest,
        inputs,
        outputName,
        outputWidth,
        source,
        payloadDigest,
        key,
        Task.byWidth(outputWidth),
        List.of());
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
    return task.kind() == Task.Kind.CLASSIFIER;
  }

  /** Every output the runner fetches, by name: the task's (unless raw), then the stored ones. */
  public List<String> fetched() {
    List<String> out = new ArrayList<>();
    if (outputName != null) {
      out.add(outputName);
    }
    for (TensorSpec s : stored) {
      if (!out.contains(s.name())) {
        out.add(s.name());
      }
    }
    return out;
  }
}
