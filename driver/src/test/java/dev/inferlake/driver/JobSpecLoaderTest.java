package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.executors.Device;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecLoaderTest {
  private static final String SPEC =
      """
      input:
        path: /data/in
        key: id
        features:
          input: [a, b]
      models:
        - name: m
          version: v1
          path: /models/m1.onnx
        - name: m
          version: v2
          path: /models/m2.onnx
      output:
        table: /lake/p
      """;

  private static InferlakeException usageError(String yaml, String... overrides) {
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> JobSpecLoader.parse(yaml, "job.yaml", List.of(overrides)));
    assertEquals(ErrorKind.USAGE, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void readsASpecWithDefaults() {
    JobSpec s = JobSpecLoader.parse(SPEC, "job.yaml", List.of());
    assertEquals(List.of("id"), s.input().key(), "a single key is accepted as a list of one");
    assertEquals("parquet", s.format());
    assertEquals(List.of("a", "b"), s.featuresFor(s.models().get(1), "input"));
    assertEquals(JobSpec.DEFAULT_BATCH_SIZE, s.batchSizeOrDefault());
    assertEquals(Device.CPU, s.deviceOrDefault());
    assertEquals("m:v2", s.models().get(1).label());
  }

  @Test
  void aTaskIsAKindAloneOrAMapping() {
    JobSpec s =
        JobSpecLoader.parse(
            SPEC,
            "job.yaml",
            List.of("models.0.task=binary", "models.1.task={kind: multilabel, threshold: 0.3}"));
    assertEquals(new JobSpec.Task("binary", null, null, null, null), s.models().get(0).task());
    assertEquals("multilabel", s.models().get(1).task().kind());
    assertEquals(0.3, s.models().get(1).task().threshold());
  }

  @Test
  void overridesSetNestedValuesListEntriesAndTypedScalars() {
    JobSpec s =
        JobSpecLoader.parse(
            SPEC,
            "job.yaml",
            List.of(
                "batch_size=7",
                "models.1.path=/other.onnx",
                "input.features.input=[x, y, z]",
                "device=gpu"));
    assertEquals(7, s.batchSizeOrDefault());
    assertEquals("/other.onnx", s.models().get(1).path());
    assertEquals(List.of("x", "y", "z"), s.input().features().get("input"));
    assertEquals(Device.GPU, s.deviceOrDefault());
  }

  @Test
  void unknownKeysAreErrorsNamingTheKeyAndWhatIsKnown() {
    InferlakeException top = usageError(SPEC + "batchsize: 5\n");
    assertTrue(
        top.getMessage().contains("unknown key 'batchsize' in (top level)"), top.getMessage());
    assertTrue(top.getMessage().contains("batch_size"), top.getMessage());

    InferlakeException nested = usageError(SPEC, "models.0.pth=/x");
    assertTrue(nested.getMessage().contains("unknown key 'pth' in models[0]"), nested.getMessage());
    assertTrue(
        nested
            .getMessage()
            .contains("known keys there: features, name, output, outputs, path, task, version"),
        nested.getMessage());
  }

  @Test
  void runSemanticsKeysHaveDefaultsAndAreChecked() {
    JobSpec s = JobSpecLoader.parse(SPEC, "job.yaml", List.of());
    assertEquals(dev.inferlake.executors.OnInvalid.FAIL, s.onInvalidOrDefault());
    assertEquals(0.05, s.maxInvalidFractionOrDefault());
    assertEquals(1, s.chunksOrDefault());
    assertEquals(0, s.output().conflictRetriesOrDefault(), "no retries unless asked");
    assertEquals(s.output().table() + "_quarantine", s.output().quarantineTableOrDefault());
    JobSpec r =
        JobSpecLoader.parse(
            SPEC, "job.yaml", List.of("output.on_conflict=retry", "on_invalid=quarantine"));
    assertEquals(3, r.output().conflictRetriesOrDefault());
    assertEquals(dev.inferlake.executors.OnInvalid.QUARANTINE, r.onInvalidOrDefault());

    assertEquals(
        "job spec: 'on_invalid' is 'drop'; expected one of fail, skip, quarantine",
        usageError(SPEC, "on_invalid=drop").getMessage());
    assertEquals(
        "job spec: 'max_invalid_fraction' is '1.5'; expected a number from 0 to 1",
        usageError(SPEC, "max_invalid_fraction=1.5").getMessage());
    assertEquals(
        "job spec: 'output.on_conflict' is 'wait'; expected one of fail, retry",
        usageError(SPEC, "output.on_conflict=wait").getMessage());
    assertEquals(
        "job spec: 'resumable.chunks' is '0'; expected a count from 1 to 10000",
        usageError(SPEC, "resumable.chunks=0").getMessage());
    assertTrue(
        usageError(SPEC, "output.quarantine_table=/lake/p")
            .getMessage()
            .endsWith("expected a table other than output.table"));
  }

  @Test
  void reportingKeysHaveDefaultsAndAreChecked() {
    JobSpec s = JobSpecLoader.parse(SPEC, "job.yaml", List.of());
    assertEquals(s.output().table() + "_runs", s.output().runsTableOrDefault());
    assertEquals(null, s.thresholdRules(), "the report's defaults unless the job names rules");
    JobSpec r =
        JobSpecLoader.parse(
            SPEC,
            "job.yaml",
            List.of(
                "evaluate.label=y",
                "report.out=/tmp/r",
                "report.thresholds=[psi_vs_baseline<=0.1, 'accuracy_delta>=-0.02']"));
    assertEquals("y", r.evaluate().label());
    assertEquals(
        List.of("psi_vs_baseline<=0.1", "accuracy_delta>=-0.02"),
        r.thresholdRules().stream().map(Object::toString).toList());

    assertEquals(
        "job spec: 'report.thresholds[0]': threshold 'psi<=1' names an unknown metric 'psi';"
            + " metrics are "
            + String.join(", ", dev.inferlake.reports.ReportMetrics.NAMES)
            + " (each also with _delta, against the baseline)",
        usageError(SPEC, "report.out=/r", "report.thresholds=['psi<=1']").getMessage());
    assertTrue(
        usageError(SPEC, "report.out=/r", "report.baseline=m:v9")
            .getMessage()
            .startsWith("job spec: 'report.baseline' is 'm:v9'; expected one of the job's models"));
    assertTrue(
        usageError(SPEC, "report.baseline=x").getMessage().contains("report.out"),
        "a report needs a folder");
    assertTrue(usageError(SPEC, "evaluate={}").getMessage().contains("evaluate.label"));
  }

  @Test
  void batchSizeAutoAndPartitioning() {
    JobSpec d = JobSpecLoader.parse(SPEC, "job.yaml", List.of());
    assertEquals(JobSpec.DEFAULT_BATCH_SIZE, d.batchSizeOrDefault());
    assertTrue(d.partitioningOrDefault().byMetadata(), "metadata planning by default");
    assertEquals(1.5, d.partitioningOrDefault().maxSkewOrDefault());
    JobSpec auto =
        JobSpecLoader.parse(
            SPEC,
            "job.yaml",
            List.of(
                "batch_size=auto",
                "partitioning.mode=spark",
                "partitioning.rows_per_task=5000",
                "partitioning.max_skew=2"));
    assertEquals(dev.inferlake.executors.ScoringSpec.AUTO_BATCH_SIZE, auto.batchSizeOrDefault());
    assertTrue(!auto.partitioningOrDefault().byMetadata());
    assertEquals(5000L, auto.partitioningOrDefault().rowsPerTask());
    assertEquals(2.0, auto.partitioningOrDefault().maxSkewOrDefault());
    assertEquals(
        512, JobSpecLoader.parse(SPEC, "job.yaml", List.of("batch_size=512")).batchSizeOrDefault());
    assertTrue(
        usageError(SPEC, "batch_size=automatic")
            .getMessage()
            .contains(
                "'batch_size' is 'automatic'; expected auto, or a count between 1 and 1000000"));
    assertTrue(
        usageError(SPEC, "partitioning.mode=rows")
            .getMessage()
            .contains("'partitioning.mode' is 'rows'; expected one of metadata, spark"));
    assertTrue(
        usageError(SPEC, "partitioning.max_skew=0.5")
            .getMessage()
            .contains("'partitioning.max_skew'"));
    assertTrue(
        usageError(SPEC, "partitioning.rows_per_task=0")
            .getMessage()
            .contains("'partitioning.rows_per_task'"));
    assertTrue(
        usageError(SPEC, "partitioning.target_task_seconds=-1")
            .getMessage()
            .contains("'partitioning.target_task_seconds'"));
    assertTrue(usageError(SPEC, "partitioning.size=3").getMessage().contains("size"));
  }

  @Test
  void badValuesNameTheKey() {
    assertTrue(usageError(SPEC, "batch_size=0").getMessage().contains("'batch_size' is '0'"));
    assertTrue(usageError(SPEC, "batch_size=lots").getMessage().contains("'batch_size'"));
    assertTrue(
        usageError(SPEC, "input.format=avro").getMessage().contains("'input.format' is 'avro'"));
    assertTrue(
        usageError(SPEC, "device=tpu")
            .getMessage()
            .contains("device 'tpu' is not one of cpu, gpu, gpu-required"));
    assertTrue(
        usageError(SPEC, "models.1.version=v1")
            .getMessage()
            .contains("each model version listed once"));
    assertTrue(
        usageError(SPEC, "models.0.version=v 1")
            .getMessage()
            .contains("'models[0].version' is 'v 1'"));
    assertTrue(
        usageError(SPEC, "models.5.path=/x")
            .getMessage()
            .contains("'5' is not an index from 0 to 1"));
    assertTrue(
        usageError(SPEC, "output.table=''").getMessage().contains("'output.table' is required"));
    assertTrue(
        usageError(SPEC.replace("  table: /lake/p\n", ""))
            .getMessage()
            .contains("'output' is required"));
    assertTrue(usageError("input: [\n").getMessage().contains("is not valid YAML"));
  }
}
