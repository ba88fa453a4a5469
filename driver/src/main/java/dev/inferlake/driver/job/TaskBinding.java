package dev.inferlake.driver.job;

import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.Task;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * What one model version's outputs become: the output its task reads, the task (the job's
 * declaration over the package's, else today's default by width), and the outputs stored as they
 * are. Every combination that cannot work is refused here, on the driver, before anything is
 * scored.
 *
 * @param output the output the task reads; null for a raw task
 * @param task the task
 * @param stored the outputs stored in the {@code outputs} struct, in the job's order
 */
public record TaskBinding(TensorSpec output, Task task, List<TensorSpec> stored) {

  /**
   * Binds model {@code m} of a job.
   *
   * @param at the job's key of the model ({@code models[0]}), for messages
   * @throws dev.inferlake.model.InferlakeException USAGE for an output name the model does not have
   *     or a raw task with nothing to store; MODEL for a task or stored output the model's outputs
   *     cannot serve
   */
  static TaskBinding of(ResolvedModel m, String at) {
    JobSpec.Model job = m.spec();
    return of(m.manifest(), job.task(), job.output(), job.outputs(), m.spec().label(), at);
  }

  /**
   * Binds a manifest's declared task alone, as {@code model register} checks it.
   *
   * @throws dev.inferlake.model.InferlakeException as {@link #of(ResolvedModel, String)}
   */
  public static TaskBinding ofPackage(ModelManifest manifest) {
    return of(manifest, null, null, null, manifest.label(), null);
  }

  private static TaskBinding of(
      ModelManifest manifest,
      JobSpec.Task job,
      String jobOutput,
      List<String> outputs,
      String label,
      String at) {
    ModelSignature sig = manifest.modelSignature();
    ModelManifest.Task pkg = manifest.task();
    boolean sameKind =
        job == null
            || job.kind() == null
            || pkg == null
            || pkg.kind() == null
            || job.kind().equals(pkg.kind());
    // the package's other fields hold when the job keeps its kind (a job may move a threshold)
    ModelManifest.Task p =
        sameKind && pkg != null ? pkg : new ModelManifest.Task(null, null, null, null, null, null);
    String kindName = job != null && job.kind() != null ? job.kind() : p.kind();
    List<String> classNames =
        job != null && job.classNames() != null ? job.classNames() : p.classNames();
    Double threshold = job != null && job.threshold() != null ? job.threshold() : p.threshold();
    Boolean logits = job != null && job.logits() != null ? job.logits() : p.logits();
    String normalize = job != null && job.normalize() != null ? job.normalize() : p.normalize();
    String pooling = job == null ? null : job.pooling();
    String source =
        job != null && job.kind() != null
            ? "job spec " + at + ".task"
            : pkg != null && pkg.kind() != null ? "the package" : "the default";

    List<TensorSpec> stored = new ArrayList<>();
    if (outputs != null) {
      for (String name : outputs) {
        TensorSpec s =
            sig.output(name).orElseThrow(() -> JobErrors.unknownOutput(label, name, names(sig)));
        if (PredictionSchema.outputType(s) == null) {
          throw JobErrors.unstorableOutput(label, name, s.toString());
        }
        stored.add(s);
      }
    }

    Task.Kind kind = kindName == null ? null : Task.Kind.parse(kindName);
    if (kindName != null && kind == null) {
      // only a package can get here: a job's kind was checked when the spec was read
      throw JobErrors.taskMismatch(
          label, source, "names kind '" + kindName + "'; expected one of " + Task.Kind.names());
    }
    if (kind == Task.Kind.RAW) {
      if (stored.isEmpty()) {
        throw JobErrors.rawWithoutOutputs(label, at == null ? "models[i]" : at);
      }
      return new TaskBinding(null, new Task(kind, List.of(), 0.5, false, false), stored);
    }

    String wanted = jobOutput != null ? jobOutput : p.output();
    TensorSpec out;
    if (wanted == null) {
      out = sig.outputs().get(0);
    } else {
      out =
          sig.output(wanted).orElseThrow(() -> JobErrors.unknownOutput(label, wanted, names(sig)));
    }
    // an embedding of a text model may read per-token states, [batch, seq, dim], and pool them
    boolean perToken =
        kind == Task.Kind.EMBEDDING
            && manifest.tokenizer() != null
            && out.type() == ElementType.FLOAT
            && out.shape().length == 3
            && out.shape()[1] < 0
            && out.shape()[2] > 0;
    if (pooling != null && !perToken) {
      throw JobErrors.taskMismatch(
          label,
          source,
          "asks for pooling: "
              + pooling
              + ", which only an embedding task of a text model over a [batch, seq, dim] output"
              + " takes; output '"
              + out.name()
              + "' is "
              + out);
    }
    if (!perToken
        && (out.type() != ElementType.FLOAT
            || out.shape().length == 0
            || out.elementsPerRow() < 1)) {
      throw JobErrors.unsupportedOutput(label, out.name(), out.toString());
    }
    long width = perToken ? out.shape()[2] : out.elementsPerRow();
    if (kind == null) {
      kind = Task.byWidth(width).kind();
    }
    String problem = check(kind, width, classNames, normalize, out);
    if (problem != null) {
      throw JobErrors.taskMismatch(label, source, problem);
    }
    Task task =
        new Task(
            kind,
            classNames,
            threshold == null ? Task.DEFAULT_THRESHOLD : threshold,
            Boolean.TRUE.equals(logits),
            "l2".equals(normalize),
            perToken ? (pooling == null ? Task.Pooling.MEAN : Task.Pooling.parse(pooling)) : null);
    return new TaskBinding(out, task, stored);
  }

  /** Why {@code kind} cannot read {@code out}; null when it can. */
  private static String check(
      Task.Kind kind, long width, List<String> classNames, String normalize, TensorSpec out) {
    int names = classNames == null ? -1 : classNames.size();
    String o = "output '" + out.name() + "' (" + out + ")";
    if (normalize != null && kind != Task.Kind.EMBEDDING) {
      return "asks for normalize: " + normalize + ", which only an embedding task takes";
    }
    return switch (kind) {
      case CLASSIFIER, MULTILABEL ->
          names >= 0 && names != width
              ? "names " + names + " classes, but " + o + " holds " + width + " values per row"
              : null;
      case BINARY -> {
        if (width != 1) {
          yield "is binary, which reads one probability or logit per row, but "
              + o
              + " holds "
              + width
              + " (a classifier reads several)";
        }
        yield names >= 0 && names != 2
            ? "names " + names + " classes; a binary task names two (for 0 and 1)"
            : null;
      }
      case REGRESSOR, EMBEDDING ->
          names >= 0 ? "names classes, which a " + kind.specName() + " task does not have" : null;
      case RAW -> null;
    };
  }

  private static List<String> names(ModelSignature sig) {
    return sig.outputs().stream().map(TensorSpec::name).toList();
  }
}
