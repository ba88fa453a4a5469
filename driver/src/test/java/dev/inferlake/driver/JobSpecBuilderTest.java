package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test helpers write what the loader reads: every key lands in the field it names. */
class JobSpecBuilderTest {
  static JobSpecBuilder minimal() {
    return JobSpecBuilder.create()
        .input("/data/in")
        .key("id")
        .features("input", "a", "b")
        .model("m", "v1", Path.of("/models/m1.onnx"))
        .output("/lake/p");
  }

  @Test
  void aMinimalSpecLeavesEveryOtherKeyToTheLoadersDefaults() {
    JobSpec s = minimal().spec();
    assertEquals("/data/in", s.input().path());
    assertEquals(List.of("id"), s.input().key());
    assertEquals(Map.of("input", List.of("a", "b")), s.input().features());
    assertEquals(List.of(new JobSpec.Model("m", "v1", "/models/m1.onnx", null, null)), s.models());
    assertEquals(new JobSpec.Output("/lake/p", null, null, null, null), s.output());
    assertNull(s.batchSize());
    assertNull(s.security());
    assertNull(s.partitioning());
    assertEquals(
        """
        input:
          path: /data/in
          key:
            - id
          features:
            input:
              - a
              - b
        models:
          - name: m
            version: v1
            path: /models/m1.onnx
        output:
          table: /lake/p
        """,
        minimal().yaml());
  }

  @Test
  void everyKeyReachesItsField() {
    JobSpec s =
        JobSpecBuilder.create()
            .input(Path.of("/data/in"))
            .format("delta")
            .key("id", "ds")
            .features("input", List.of("a", "b"))
            .model(
                JobSpecBuilder.Model.of("m", "v1")
                    .path("/models/m1.onnx")
                    .output("probabilities")
                    .features("extra", "c"))
            .model("m", "v2")
            .registry("/registry")
            .shipping("storage")
            .decryptionKeyFile("/keys/enc.json")
            .requireSignature(true)
            .trustedKeys("/keys/a.pub.json", "/keys/b.pub.json")
            .output(Path.of("/lake/p"))
            .quarantineTable("/lake/q")
            .runsTable("/lake/r")
            .onConflict("retry")
            .conflictRetries(5)
            .onInvalid(OnInvalid.QUARANTINE)
            .maxInvalidFraction(0.01)
            .chunks(4)
            .batchSize(64)
            .partitioningMode("spark")
            .rowsPerTask(20_000)
            .targetTaskSeconds(30)
            .maxSkew(2)
            .device(Device.GPU_REQUIRED)
            .modelCacheBytes(1 << 20)
            .evaluate("label")
            .report(Path.of("/reports"))
            .reportBaseline("m:v2")
            .reportReference("2026-01-01")
            .reportThresholds("psi_vs_baseline<=0.1")
            .spec();
    assertEquals(
        new JobSpec.Input(
            "/data/in", "delta", List.of("id", "ds"), Map.of("input", List.of("a", "b"))),
        s.input());
    assertEquals(
        List.of(
            new JobSpec.Model(
                "m", "v1", "/models/m1.onnx", "probabilities", Map.of("extra", List.of("c"))),
            new JobSpec.Model("m", "v2", null, null, null)),
        s.models());
    assertEquals("/registry", s.registry());
    assertTrue(s.storageShipping());
    assertEquals(
        new JobSpec.Security(
            null, "/keys/enc.json", true, List.of("/keys/a.pub.json", "/keys/b.pub.json")),
        s.security());
    assertEquals(new JobSpec.Output("/lake/p", "/lake/q", "retry", 5, "/lake/r"), s.output());
    assertEquals(OnInvalid.QUARANTINE, s.onInvalidOrDefault());
    assertEquals(0.01, s.maxInvalidFraction());
    assertEquals(4, s.chunksOrDefault());
    assertEquals(64, s.batchSizeOrDefault());
    assertEquals(new JobSpec.Partitioning("spark", 30.0, 20_000L, 2.0), s.partitioning());
    assertEquals(Device.GPU_REQUIRED, s.deviceOrDefault());
    assertEquals(1 << 20, s.modelCacheBytesOrDefault());
    assertEquals("label", s.evaluate().label());
    assertEquals(
        new JobSpec.ReportSpec("/reports", "m:v2", "2026-01-01", List.of("psi_vs_baseline<=0.1")),
        s.report());
  }

  @Test
  void valuesThatLookLikeNumbersOrBooleansStayStrings() {
    JobSpec s =
        JobSpecBuilder.create()
            .input("/in")
            .key("01")
            .features("input", "true")
            .model("m", "1.10", Path.of("/m.onnx"))
            .output("/out")
            .batchSizeAuto()
            .decryptionKeyEnv("null")
            .spec();
    assertEquals(List.of("01"), s.input().key());
    assertEquals(List.of("true"), s.input().features().get("input"));
    assertEquals("1.10", s.models().get(0).version());
    assertEquals("null", s.security().decryptionKeyEnv());
    assertEquals(dev.inferlake.executors.ScoringSpec.AUTO_BATCH_SIZE, s.batchSizeOrDefault());
  }

  @Test
  void overridesApplyAsTheCliAppliesThem() {
    JobSpec s = minimal().spec("batch_size=7", "models.0.version=v2");
    assertEquals(7, s.batchSizeOrDefault());
    assertEquals("m:v2", s.models().get(0).label());
  }

  @Test
  void anInvalidSpecIsRefusedByTheLoaderAndNeverWritten(@TempDir Path dir) {
    JobSpecBuilder noKey =
        JobSpecBuilder.create()
            .input("/in")
            .features("input", "a")
            .model("m", "v1", Path.of("/m.onnx"))
            .output("/out");
    InferlakeException e = assertThrows(InferlakeException.class, noKey::spec);
    assertEquals(ErrorKind.USAGE, e.kind());
    assertTrue(e.getMessage().contains("'input.key' is required"), e.getMessage());
    Path file = dir.resolve("job.yaml");
    assertThrows(InferlakeException.class, () -> noKey.writeTo(file));
    assertTrue(Files.notExists(file));
  }

  @Test
  void writeToWritesTheYamlTheLoaderReadsBack(@TempDir Path dir) throws Exception {
    Path file = minimal().writeTo(dir.resolve("jobs/job.yaml"));
    assertEquals(minimal().yaml(), Files.readString(file));
    assertEquals(minimal().spec(), JobSpecLoader.load(file, List.of()));
  }

  @Test
  void aCopyChangesAlone() {
    JobSpecBuilder base = minimal();
    JobSpecBuilder other = base.copy().features("x", "a", "b").model("m", "v2", Path.of("/m2"));
    assertEquals(minimal().yaml(), base.yaml());
    assertEquals(
        Map.of("input", List.of("a", "b"), "x", List.of("a", "b")),
        other.spec().input().features());
    assertEquals(2, other.spec().models().size());
  }

  @Test
  void aRegistrationIsTheCommandAUserTypes() {
    Path file = Path.of("/models/m.onnx");
    assertArrayEquals(
        new String[] {
          "model",
          "--registry",
          "/reg",
          "register",
          "--name",
          "m",
          "--version",
          "v1",
          "/models/m.onnx"
        },
        ModelRegistration.of("/reg", "m", "v1", file).args());
    assertArrayEquals(
        new String[] {
          "model",
          "--registry",
          "/reg",
          "register",
          "--name",
          "m",
          "--version",
          "v2",
          "--lineage",
          "v1",
          "--key-file",
          "/k/enc.json",
          "--sign-key",
          "/k/sign.json",
          "/models/m.onnx"
        },
        ModelRegistration.of("/reg", "m", "v2", file)
            .derivedFrom("v1")
            .encryptedWith("/k/enc.json")
            .signedWith("/k/sign.json")
            .args());
  }
}
