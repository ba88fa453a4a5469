package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.testing.FakeEngine;
import dev.inferlake.executors.testing.FakeRunner;
import dev.inferlake.executors.testing.ScoredModels;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.ExecutorModelCache;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelFormat;
import dev.inferlake.model.ModelKeys;
import dev.inferlake.model.ModelPackage;
import dev.inferlake.model.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's runner cache over a table of fake engines: which engine loads, and when. */
class ExecutorRunnersTest {
  private static final StructType SCHEMA =
      new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType, false));
  private static final RunnerOptions ONE_THREAD = new RunnerOptions(1, Device.CPU);

  private final FakeEngine onnx = new FakeEngine("fake-onnx", true);
  private final FakeEngine torch = new FakeEngine("fake-torch", false);

  private ExecutorRunners runners() {
    return new ExecutorRunners(new Engines(onnx, torch), 1L << 30);
  }

  /** A model of its own weights for each version. */
  private static ScoredModel onnxModel(String version) {
    return ScoredModels.linear("m", version, 4, 2, version.hashCode(), SCHEMA, List.of("x"));
  }

  private static ScoredModel torchModel() {
    byte[] archive =
        ScoredModels.torchScriptShaped(
            "{\"inputs\": [{\"name\": \"x\", \"type\": \"float\", \"shape\": [-1, 4]}],"
                + " \"outputs\": [{\"name\": \"y\", \"type\": \"float\", \"shape\": [-1, 3]}]}");
    return ScoredModels.packed(archive, "t", "v1", "y", SCHEMA, List.of(List.of("x")));
  }

  @Test
  void eachModelLoadsThroughTheEngineOfItsFormatOnceForEachKey() {
    ScoredModel m = onnxModel("v1");
    ScoredModel t = torchModel();
    assertEquals(ModelFormat.TORCHSCRIPT, t.manifest().format());
    try (ExecutorRunners runners = runners()) {
      Runner first;
      try (ExecutorModelCache.Lease<Runner> a = runners.acquire(m, ONE_THREAD);
          ExecutorModelCache.Lease<Runner> b = runners.acquire(m, ONE_THREAD)) {
        assertTrue(a.loaded());
        assertFalse(b.loaded(), "the same model and options: the cached runner");
        assertSame(a.value(), b.value());
        first = a.value();
      }
      try (ExecutorModelCache.Lease<Runner> again = runners.acquire(m, ONE_THREAD)) {
        assertSame(first, again.value(), "kept after its leases closed");
      }
      try (ExecutorModelCache.Lease<Runner> twoThreads =
              runners.acquire(m, new RunnerOptions(2, Device.CPU));
          ExecutorModelCache.Lease<Runner> gpu =
              runners.acquire(m, new RunnerOptions(1, Device.GPU));
          ExecutorModelCache.Lease<Runner> other = runners.acquire(onnxModel("v2"), ONE_THREAD);
          ExecutorModelCache.Lease<Runner> script = runners.acquire(t, ONE_THREAD)) {
        assertNotSame(first, twoThreads.value());
        assertNotSame(first, gpu.value());
        assertNotSame(first, other.value());
        assertEquals(t.manifest().modelSignature(), script.value().signature());
      }
      assertEquals(4, onnx.loads().size(), "v1 three ways, v2 once");
      assertEquals(1, torch.loads().size());
      // the unpacked model reached the engine: its bytes match the manifest's digest
      assertEquals(m.digest(), onnx.loads().get(0).source());
      assertEquals(t.digest(), torch.loads().get(0).source());
      assertEquals(new RunnerOptions(2, Device.CPU), onnx.loads().get(1).options());
      assertEquals(5, runners.cache().loads());
      assertEquals(2, runners.cache().hits());
    }
    for (FakeEngine e : List.of(onnx, torch)) {
      for (FakeEngine.Load l : e.loads()) {
        assertTrue(l.runner().closed(), "closing the cache closes " + l.label());
      }
    }
  }

  @Test
  void bytesThatDoNotMatchTheShippedDigestNeverReachTheEngine() {
    ScoredModel good = onnxModel("v1");
    byte[] other = onnxModel("v9").source().bytes();
    ScoredModel tampered =
        new ScoredModel(
            good.manifest(),
            good.inputs(),
            good.outputName(),
            good.outputWidth(),
            () -> other,
            good.payloadDigest(),
            null);
    try (ExecutorRunners runners = runners()) {
      InferlakeException e =
          assertThrows(InferlakeException.class, () -> runners.acquire(tampered, ONE_THREAD));
      assertEquals(ErrorKind.MODEL, e.kind());
      assertTrue(
          e.getMessage().contains("expected " + good.payloadDigest() + ", got "), e.getMessage());
    }
    assertEquals(List.of(), onnx.loads());
  }

  @Test
  void storageShippingHandsAFileToAnEngineThatLoadsFilesAndBytesToOneThatDoesNot(@TempDir Path dir)
      throws Exception {
    ScoredModel m = onnxModel("v1");
    byte[] payload = m.source().bytes();
    Files.write(dir.resolve(StorageModelSource.PAYLOAD), payload);
    ScoredModel stored =
        new ScoredModel(
            m.manifest(),
            m.inputs(),
            m.outputName(),
            m.outputWidth(),
            new StorageModelSource(dir.toUri().toString()),
            ModelDigest.sha256(payload),
            null);

    try (ExecutorRunners runners = runners();
        ExecutorModelCache.Lease<Runner> lease = runners.acquire(stored, ONE_THREAD)) {
      assertEquals("file:model.onnx", onnx.loads().get(0).source());
      assertEquals(m.manifest().rawBytes(), runners.cache().heldBytes());
      assertTrue(lease.value() instanceof FakeRunner);
    }

    FakeEngine bytesOnly = new FakeEngine("fake-bytes", false);
    try (ExecutorRunners runners = new ExecutorRunners(new Engines(bytesOnly, torch), 1L << 30);
        ExecutorModelCache.Lease<Runner> lease = runners.acquire(stored, ONE_THREAD)) {
      assertEquals(m.digest(), bytesOnly.loads().get(0).source());
    }
  }

  @Test
  void aModelLoadedFromAFileCountsItsOwnBytesNotTheManifestsSize(@TempDir Path dir)
      throws Exception {
    ScoredModel m = onnxModel("v72");
    byte[] payload = m.source().bytes();
    Files.write(dir.resolve(StorageModelSource.PAYLOAD), payload);
    StorageModelSource source = new StorageModelSource(dir.toUri().toString());
    ScoredModel stored =
        new ScoredModel(
            m.manifest(),
            m.inputs(),
            m.outputName(),
            m.outputWidth(),
            source,
            ModelDigest.sha256(payload),
            null);
    // the same model under a manifest whose unsigned raw_bytes was edited
    dev.inferlake.model.ModelManifest edited =
        dev.inferlake.model.ModelManifest.fromJson(
            m.manifest()
                .toJson()
                .replace(
                    "\"raw_bytes\" : " + m.manifest().rawBytes(),
                    "\"raw_bytes\" : " + Long.MAX_VALUE),
            "t");
    ScoredModel forged =
        new ScoredModel(
            edited,
            m.inputs(),
            m.outputName(),
            m.outputWidth(),
            source,
            ModelDigest.sha256(payload),
            null);
    long raw = m.manifest().rawBytes();
    try (ExecutorRunners runners = runners();
        ExecutorModelCache.Lease<Runner> a = runners.acquire(stored, ONE_THREAD);
        ExecutorModelCache.Lease<Runner> b =
            runners.acquire(forged, new RunnerOptions(2, Device.CPU))) {
      assertEquals(2 * raw, runners.cache().heldBytes(), "each runner counts the model's bytes");
    }
  }

  @Test
  void aManifestWhoseSignatureDiffersFromTheModelsOwnNeverReachesTheEngine() {
    ScoredModel m = onnxModel("v7");
    // the output's width edited in the manifest, as an unsigned (or first-scheme) manifest allows
    String json = m.manifest().toJson();
    dev.inferlake.model.ModelManifest edited =
        dev.inferlake.model.ModelManifest.fromJson(
            json.replaceFirst("(\"outputs\"[^\\]]*\"shape\" : \\[ -1, )2", "$13"), "t");
    org.junit.jupiter.api.Assertions.assertNotEquals(
        m.manifest().modelSignature(), edited.modelSignature(), "the edit took");
    ScoredModel forged =
        new ScoredModel(edited, m.inputs(), m.outputName(), 3, m.source(), m.payloadDigest(), null);
    try (ExecutorRunners runners = runners()) {
      dev.inferlake.model.InferlakeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              dev.inferlake.model.InferlakeException.class,
              () -> runners.acquire(forged, ONE_THREAD));
      assertEquals(dev.inferlake.model.ErrorKind.MODEL, e.kind());
      assertTrue(e.getMessage().contains("m:v7"), e.getMessage());
      assertTrue(onnx.loads().isEmpty(), "the engine never saw it");
    }
  }

  @Test
  void aRotatedKeyIsReadAgainAndNeverRidesOnTheOldKeysSession(@TempDir Path dir) throws Exception {
    String oldKey = ModelKeys.newEncryptionKeyset();
    Path keyFile = Files.writeString(dir.resolve("key.json"), oldKey);
    ScoredModel plain = onnxModel("v71");
    ModelPackage.Packed p =
        ModelPackage.pack(
            TestModels.linear(4, 2, "v71".hashCode()).onnxBytes(),
            "m",
            "v71",
            ModelKeys.aead(ModelKeys.parse(oldKey, "t"), "t"),
            null,
            null,
            Instant.EPOCH);
    byte[] payload = p.payload();
    ScoredModel sealed =
        new ScoredModel(
            p.manifest(),
            plain.inputs(),
            plain.outputName(),
            plain.outputWidth(),
            () -> payload.clone(),
            ModelDigest.sha256(payload),
            new KeyRef(null, keyFile.toString()));

    try (ExecutorRunners runners = runners()) {
      try (ExecutorModelCache.Lease<Runner> first = runners.acquire(sealed, ONE_THREAD)) {
        assertTrue(first.loaded());
      }
      // the key file now holds another key, which cannot open this package
      Files.writeString(keyFile, ModelKeys.newEncryptionKeyset());
      InferlakeException e =
          assertThrows(InferlakeException.class, () -> runners.acquire(sealed, ONE_THREAD).close());
      assertEquals(ErrorKind.MODEL, e.kind());
      assertTrue(e.getMessage().contains("cannot be decrypted: wrong key"), e.getMessage());

      // the old key back: its session is found again, not loaded anew
      Files.writeString(keyFile, oldKey);
      try (ExecutorModelCache.Lease<Runner> again = runners.acquire(sealed, ONE_THREAD)) {
        assertFalse(again.loaded());
      }
      assertEquals(1, onnx.loads().size());
    }
  }
}
