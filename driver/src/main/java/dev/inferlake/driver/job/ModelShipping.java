package dev.inferlake.driver.job;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyRef;
import dev.inferlake.executors.ModelSource;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.StorageModelSource;
import dev.inferlake.executors.StorageTokenizerSource;
import dev.inferlake.executors.TextFeed;
import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.types.StructType;

/**
 * Every model version of a run as the executors get it: its input bindings, the output it stores,
 * and how its package travels (a broadcast of the payload, or a fetch from storage by each executor
 * JVM). Closing it destroys the broadcasts.
 */
final class ModelShipping implements AutoCloseable {
  private final List<ScoredModel> models;
  private final List<Broadcast<byte[]>> broadcasts;

  private ModelShipping(List<ScoredModel> models, List<Broadcast<byte[]>> broadcasts) {
    this.models = List.copyOf(models);
    this.broadcasts = broadcasts;
  }

  /**
   * Binds and ships every model.
   *
   * @throws dev.inferlake.model.InferlakeException as {@link #bind} does
   */
  static ModelShipping ship(
      JavaSparkContext jsc, JobSpec spec, List<ResolvedModel> resolved, JobInput input) {
    KeyRef keyRef = keyRef(spec);
    List<Broadcast<byte[]>> broadcasts = new ArrayList<>();
    List<ModelSource> tokenizers = new ArrayList<>();
    for (ResolvedModel m : resolved) {
      ModelSource t = null;
      if (m.tokenizer() != null) {
        Broadcast<byte[]> b = jsc.broadcast(m.tokenizer());
        broadcasts.add(b);
        t = new BroadcastModelSource(b);
      } else if (m.manifest().tokenizer() != null && m.payload() == null) {
        t = new StorageTokenizerSource(m.location());
      }
      tokenizers.add(t);
    }
    List<Bound> bound = bind(resolved, input, tokenizers, spec.imageMaxPixelsOrDefault());
    List<ScoredModel> scored = new ArrayList<>();
    for (int i = 0; i < resolved.size(); i++) {
      ResolvedModel m = resolved.get(i);
      ModelSource source;
      if (m.payload() == null) {
        source = new StorageModelSource(m.location());
      } else {
        Broadcast<byte[]> b = jsc.broadcast(m.payload());
        broadcasts.add(b);
        source = new BroadcastModelSource(b);
      }
      scored.add(scoredModel(m, bound.get(i), source, keyRef));
    }
    return new ModelShipping(scored, broadcasts);
  }

  /** Model {@code m} as executors get it, bound as {@code b}; its source may be null in a plan. */
  private static ScoredModel scoredModel(ResolvedModel m, Bound b, ModelSource source, KeyRef key) {
    TensorSpec out = b.task().output();
    return new ScoredModel(
        m.manifest(),
        b.inputs(),
        out == null ? null : out.name(),
        out == null
            ? 0
            : b.task().task().pooling() != null
                ? (int) out.shape()[2] // one pooled vector per row
                : (int) out.elementsPerRow(),
        source,
        m.manifest().packedSha256(),
        key,
        b.task().task(),
        b.task().stored());
  }

  /**
   * The schema of the prediction rows of {@code resolved}, bound as {@code bound}, without shipping
   * anything: what {@code inferlake plan} checks against the table.
   *
   * @throws dev.inferlake.model.InferlakeException as {@link #schema(List)}
   */
  static StructType schema(
      List<ResolvedModel> resolved,
      List<Bound> bound,
      List<dev.inferlake.executors.KeyColumn> keys) {
    List<ScoredModel> models = new ArrayList<>();
    for (int i = 0; i < resolved.size(); i++) {
      models.add(scoredModel(resolved.get(i), bound.get(i), null, null));
    }
    return new ModelShipping(models, List.of()).schema(keys);
  }

  /** One model's input bindings and what its outputs become. */
  record Bound(List<InputBinding> inputs, TaskBinding task) {}

  /**
   * Binds every model's inputs to the projected input and chooses its output, as {@link #ship}
   * does, shipping nothing: what {@code inferlake plan} checks.
   *
   * @return per model, in job order
   * @throws dev.inferlake.model.InferlakeException USAGE for an unknown output, MODEL for one that
   *     cannot be stored or a task it cannot serve, INPUT for a column that cannot feed its input
   */
  static List<Bound> bind(List<ResolvedModel> resolved, JobInput input) {
    List<ModelSource> none = new ArrayList<>();
    resolved.forEach(m -> none.add(null));
    return bind(resolved, input, none, dev.inferlake.executors.ImageFeed.DEFAULT_MAX_PIXELS);
  }

  /**
   * As {@link #bind(List, JobInput)}, text inputs reading their tokenizer from {@code tokenizers}
   * (per model; null where it has none), image inputs refusing pictures over {@code maxPixels}.
   */
  private static List<Bound> bind(
      List<ResolvedModel> resolved, JobInput input, List<ModelSource> tokenizers, long maxPixels) {
    StructType schema = input.projected().schema();
    List<Bound> out = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < resolved.size(); i++) {
      ResolvedModel m = resolved.get(i);
      List<InputBinding> bindings = new ArrayList<>();
      // the package's vocabulary sizes, with the job's over them (each checked against an
      // integer input of the model)
      Map<String, Long> vocab =
          m.manifest().withVocabSizes(m.spec().vocabSizeOrEmpty()).vocabSizes();
      for (TensorSpec inSpec : m.manifest().modelSignature().inputs()) {
        String role = input.textRoles().get(next);
        List<String> columns = input.columnsPerInput().get(next++);
        bindings.add(
            JobInput.IMAGE_ROLE.equals(role)
                ? InputBinding.bindImage(
                    inSpec,
                    columns,
                    schema,
                    m.spec().label(),
                    new dev.inferlake.executors.ImageFeed(m.manifest().image(), maxPixels))
                : role != null
                    ? InputBinding.bindText(
                        inSpec,
                        columns,
                        schema,
                        m.spec().label(),
                        new TextFeed(role, m.manifest().tokenizer(), tokenizers.get(i)))
                    : InputBinding.bind(
                        inSpec, columns, schema, m.spec().label(), vocab.get(inSpec.name())));
      }
      out.add(new Bound(bindings, TaskBinding.of(m, "models[" + i + "]")));
    }
    return out;
  }

  List<ScoredModel> models() {
    return models;
  }

  /**
   * The schema of the run's prediction rows.
   *
   * @throws dev.inferlake.model.InferlakeException MODEL when two models store outputs of one name
   *     in different types
   */
  StructType schema(List<dev.inferlake.executors.KeyColumn> keys) {
    try {
      return dev.inferlake.executors.PredictionSchema.of(keys, models);
    } catch (IllegalArgumentException e) {
      throw JobErrors.outputsDisagree(e.getMessage());
    }
  }

  /** Destroys the broadcast packages; executors holding a loaded model keep it. */
  @Override
  public void close() {
    broadcasts.forEach(Broadcast::destroy);
  }

  /** Where executors find the key that opens encrypted packages; null when the job gives none. */
  private static KeyRef keyRef(JobSpec spec) {
    JobSpec.Security sec = spec.securityOrDefault();
    return sec.decryptionKeyEnv() == null && sec.decryptionKeyFile() == null
        ? null
        : new KeyRef(sec.decryptionKeyEnv(), sec.decryptionKeyFile());
  }
}
