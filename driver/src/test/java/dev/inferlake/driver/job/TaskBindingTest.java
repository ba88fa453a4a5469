package dev.inferlake.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.inferlake.executors.Task;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.model.testing.MultiOutputModel;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a job's and a package's task declarations combine, and every combination refused before
 * scoring, with its exit kind and message. No Spark.
 */
class TaskBindingTest {
  static final byte[] MODEL =
      MultiOutputModel.random(4, 3, 5, 1)
          .onnxBytes(List.of("logits", "embedding", "score", "top", "positive"), false);

  static ModelManifest manifest(ModelManifest.Task task) {
    return ModelPackage.pack(MODEL, "m", "v1", null, null, null, Instant.EPOCH)
        .manifest()
        .withTask(task);
  }

  static TaskBinding bind(
      ModelManifest.Task pkg, JobSpec.Task job, String output, List<String> outputs) {
    JobSpec.Model m = new JobSpec.Model("m", "v1", "/m.onnx", output, null, null, job, outputs);
    return TaskBinding.of(new ResolvedModel(m, "/m.onnx", manifest(pkg), null, null), "models[0]");
  }

  static InferlakeException refused(
      ModelManifest.Task pkg, JobSpec.Task job, String output, List<String> outputs) {
    return assertThrows(InferlakeException.class, () -> bind(pkg, job, output, outputs));
  }

  @Test
  void withNothingDeclaredTheFirstOutputsWidthDecidesAsBefore() {
    TaskBinding b = bind(null, null, null, null);
    assertEquals("logits", b.output().name());
    assertEquals(Task.Kind.CLASSIFIER, b.task().kind());
    assertEquals(Task.Kind.REGRESSOR, bind(null, null, "score", null).task().kind());
    assertEquals(List.of(), b.stored());
  }

  @Test
  void thePackagesTaskAppliesAndAJobKeepingItsKindChangesOnlyWhatItSets() {
    ModelManifest.Task pkg =
        new ModelManifest.Task("binary", "score", List.of("no", "yes"), null, true, null);
    TaskBinding b = bind(pkg, null, null, null);
    assertEquals("score", b.output().name());
    assertEquals(new Task(Task.Kind.BINARY, List.of("no", "yes"), 0.5, true, false), b.task());
    TaskBinding strict = bind(pkg, new JobSpec.Task(null, null, 0.9, null, null), null, null);
    assertEquals(new Task(Task.Kind.BINARY, List.of("no", "yes"), 0.9, true, false), strict.task());
  }

  @Test
  void aJobNamingAnotherKindTakesNothingFromThePackage() {
    ModelManifest.Task pkg =
        new ModelManifest.Task("binary", "score", List.of("no", "yes"), null, true, null);
    TaskBinding b =
        bind(pkg, new JobSpec.Task("embedding", null, null, null, "l2"), "embedding", null);
    assertEquals(new Task(Task.Kind.EMBEDDING, List.of(), 0.5, false, true), b.task());
  }

  @Test
  void storedOutputsKeepTheJobsOrderAndARawTaskReadsNoOutput() {
    TaskBinding b =
        bind(null, new JobSpec.Task("raw", null, null, null, null), null, List.of("top", "logits"));
    assertNull(b.output());
    assertEquals(List.of("top", "logits"), b.stored().stream().map(TensorSpec::name).toList());
  }

  @Test
  void combinationsThatCannotWorkAreRefusedWithTheirKindAndMessage() {
    InferlakeException e =
        refused(null, new JobSpec.Task(null, List.of("a", "b"), null, null, null), null, null);
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(
        "model 'm:v1': the task in the default names 2 classes, but output 'logits'"
            + " (float[-1, 3]) holds 3 values per row",
        e.getMessage());

    e = refused(null, new JobSpec.Task("binary", null, null, null, null), "logits", null);
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(
        "model 'm:v1': the task in job spec models[0].task is binary, which reads one probability"
            + " or logit per row, but output 'logits' (float[-1, 3]) holds 3 (a classifier reads"
            + " several)",
        e.getMessage());

    e = refused(null, new JobSpec.Task("raw", null, null, null, null), null, null);
    assertEquals(ErrorKind.USAGE, e.kind());
    assertEquals(
        "job spec: model 'm:v1' has task raw, which stores nothing but the outputs named in"
            + " 'models[0].outputs'; list at least one",
        e.getMessage());

    e = refused(null, null, null, List.of("logits", "nope"));
    assertEquals(ErrorKind.USAGE, e.kind());
    assertEquals(
        "job spec: model 'm:v1' has no output 'nope'; its outputs are"
            + " [logits, embedding, score, top, positive]",
        e.getMessage());

    e = refused(null, null, "top", null);
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(
        "model 'm:v1' output 'top' is int64[-1]; inferlake stores float outputs with a fixed"
            + " number of values per row",
        e.getMessage());

    e = refused(null, new JobSpec.Task("regressor", null, null, null, "l2"), "score", null);
    assertEquals(
        "model 'm:v1': the task in job spec models[0].task asks for normalize: l2, which only an"
            + " embedding task takes",
        e.getMessage());

    e = refused(new ModelManifest.Task("ranker", null, null, null, null, null), null, null, null);
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(
        "model 'm:v1': the task in the package names kind 'ranker'; expected one of [classifier,"
            + " binary, multilabel, regressor, embedding, raw]",
        e.getMessage());
  }

  @Test
  void aJobSpecNamesTheTaskKeyThatIsWrong() {
    String yaml =
        "input: {path: /in, key: [id], features: {input: [f]}}\n"
            + "models: [{name: m, version: v1, path: /m.onnx, task: {kind: %s}}]\n"
            + "output: {table: /out}\n";
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> JobSpecLoader.parse(String.format(yaml, "ranker"), "job.yaml", List.of()));
    assertEquals(ErrorKind.USAGE, e.kind());
    assertEquals(
        "job spec: 'models[0].task.kind' is 'ranker'; expected one of [classifier, binary,"
            + " multilabel, regressor, embedding, raw]",
        e.getMessage());
    e =
        assertThrows(
            InferlakeException.class,
            () ->
                JobSpecLoader.parse(
                    String.format(yaml, "binary, threshold: 1.5"), "job.yaml", List.of()));
    assertEquals("job spec: 'models[0].task.threshold' is '1.5'; expected 0 to 1", e.getMessage());
  }
}
