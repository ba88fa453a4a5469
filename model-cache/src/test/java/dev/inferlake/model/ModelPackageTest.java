package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import dev.inferlake.model.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPackageTest {
  static final byte[] RAW = TestModels.linear(64, 4, 3).onnxBytes();
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  static Aead newAead() {
    return ModelKeys.aead(ModelKeys.parse(ModelKeys.newEncryptionKeyset(), "test"), "test");
  }

  static InferlakeException modelError(org.junit.jupiter.api.function.Executable e) {
    InferlakeException ex = assertThrows(InferlakeException.class, e);
    assertEquals(ErrorKind.MODEL, ex.kind(), ex.getMessage());
    return ex;
  }

  @Test
  void packAndUnpackRoundTripWithAManifestThatDescribesTheModel() {
    ModelPackage.Packed p = ModelPackage.pack(RAW, "m", "v1", null, "v0", null, NOW);
    ModelManifest m = p.manifest();
    assertEquals(ModelFormat.ONNX, m.format());
    assertEquals(ModelDigest.sha256(RAW), m.sha256());
    assertEquals(RAW.length, m.rawBytes());
    assertEquals(p.payload().length, m.packedBytes());
    assertEquals("zstd", m.compression());
    assertEquals("none", m.encryption());
    assertEquals("v0", m.lineage());
    assertEquals(
        List.of(-1L, 64L), java.util.Arrays.stream(m.inputs().get(0).shape()).boxed().toList());
    assertEquals(OnnxModelReader.signature(RAW, "t"), m.modelSignature());

    ModelManifest back = ModelManifest.fromJson(m.toJson(), "test");
    assertEquals(m.toJson(), back.toJson());
    assertArrayEquals(
        RAW, ModelPackage.unpack(back, p.payload(), null, ModelPackage.MAX_RAW_BYTES));
  }

  @Test
  void encryptedPackagesNeedTheirKeyAndRejectTampering() {
    Aead key = newAead();
    ModelPackage.Packed p = ModelPackage.pack(RAW, "m", "v1", key, null, null, NOW);
    assertEquals("aes256-gcm", p.manifest().encryption());
    assertArrayEquals(RAW, ModelPackage.unpack(p.manifest(), p.payload(), key, Long.MAX_VALUE));

    assertTrue(
        modelError(() -> ModelPackage.unpack(p.manifest(), p.payload(), null, Long.MAX_VALUE))
            .getMessage()
            .contains("is encrypted, but no decryption key was given"));
    assertTrue(
        modelError(() -> ModelPackage.unpack(p.manifest(), p.payload(), newAead(), Long.MAX_VALUE))
            .getMessage()
            .startsWith("model 'm:v1' cannot be decrypted: wrong key, or the package was altered"));

    byte[] tampered = p.payload().clone();
    tampered[tampered.length / 2] ^= 1;
    modelError(() -> ModelPackage.unpack(p.manifest(), tampered, key, Long.MAX_VALUE));

    // The name and version are bound to the ciphertext: it cannot pass as another version.
    ModelManifest renamed =
        ModelManifest.fromJson(p.manifest().toJson().replace("\"v1\"", "\"v2\""), "t");
    modelError(() -> ModelPackage.unpack(renamed, p.payload(), key, Long.MAX_VALUE));
  }

  @Test
  void keysComeFromAnEnvironmentVariableOrAFile(@TempDir Path dir) throws Exception {
    String json = ModelKeys.newEncryptionKeyset();
    Aead fromEnv =
        ModelKeys.aead(ModelKeys.fromEnv("MODEL_KEY", java.util.Map.of("MODEL_KEY", json)), "env");
    Aead fromFile =
        ModelKeys.aead(ModelKeys.fromFile(Files.writeString(dir.resolve("k.json"), json)), "file");
    ModelPackage.Packed p = ModelPackage.pack(RAW, "m", "v1", fromEnv, null, null, NOW);
    assertArrayEquals(
        RAW, ModelPackage.unpack(p.manifest(), p.payload(), fromFile, Long.MAX_VALUE));

    InferlakeException unset =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.fromEnv("MODEL_KEY", java.util.Map.of()));
    assertEquals(ErrorKind.USAGE, unset.kind());
    assertEquals(
        "key environment variable MODEL_KEY cannot be used: it is not set", unset.getMessage());
    InferlakeException junk =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.fromEnv("K", java.util.Map.of("K", "{}")));
    assertTrue(
        junk.getMessage()
            .startsWith("key environment variable K cannot be used: not a Tink JSON keyset"),
        junk.getMessage());
  }

  @Test
  void aKeysetsFingerprintNamesItsMaterialHoweverItIsLaidOut() {
    String json = ModelKeys.newEncryptionKeyset();
    String fp = ModelKeys.fingerprint(ModelKeys.parse(json, "a"), "a");
    assertTrue(fp.matches("keyset-sha256:[0-9a-f]{64}"), fp);
    String relaidOut = json.replace("{", "{\n  ").replace(",", ",\n  ");
    assertEquals(fp, ModelKeys.fingerprint(ModelKeys.parse(relaidOut, "b"), "b"));
    String other = ModelKeys.newEncryptionKeyset();
    assertNotEquals(fp, ModelKeys.fingerprint(ModelKeys.parse(other, "c"), "c"));
  }

  @Test
  void aDigestMismatchNamesBothDigests() {
    ModelPackage.Packed p = ModelPackage.pack(RAW, "m", "v1", null, null, null, NOW);
    String wrong = "sha256:" + "0".repeat(64);
    ModelManifest lying =
        ModelManifest.fromJson(p.manifest().toJson().replace(p.manifest().sha256(), wrong), "t");
    assertEquals(
        "model 'm:v1' bytes do not match their digest: expected "
            + wrong
            + ", got "
            + ModelDigest.sha256(RAW),
        modelError(() -> ModelPackage.unpack(lying, p.payload(), null, Long.MAX_VALUE))
            .getMessage());
  }

  @Test
  void decompressionStopsAtTheCap() {
    ModelPackage.Packed p = ModelPackage.pack(RAW, "m", "v1", null, null, null, NOW);
    assertTrue(
        modelError(() -> ModelPackage.unpack(p.manifest(), p.payload(), null, 1000))
            .getMessage()
            .contains("decompresses to more than 1000 bytes"));
    // A manifest that understates the size caps decompression too (a zstd bomb claims little).
    ModelManifest small =
        ModelManifest.fromJson(
            p.manifest().toJson().replace("\"raw_bytes\" : " + RAW.length, "\"raw_bytes\" : 10"),
            "t");
    assertTrue(
        modelError(() -> ModelPackage.unpack(small, p.payload(), null, Long.MAX_VALUE))
            .getMessage()
            .contains("more than 10 bytes"));
    byte[] garbage = "definitely not zstd".getBytes();
    assertTrue(
        modelError(() -> ModelPackage.unpack(p.manifest(), garbage, null, Long.MAX_VALUE))
            .getMessage()
            .startsWith("model 'm:v1' is corrupt"));
  }

  /** The manifest with its (unsigned) raw_bytes edited to {@code rawBytes}. */
  static ModelManifest withRawBytes(ModelManifest m, long rawBytes) {
    String json = m.toJson();
    String edited = json.replace("\"raw_bytes\" : " + m.rawBytes(), "\"raw_bytes\" : " + rawBytes);
    assertTrue(!edited.equals(json), "the edit took");
    return ModelManifest.fromJson(edited, "t");
  }

  @Test
  void anEditedRawSizeNeitherRaisesTheCapNorSizesAnAllocation() {
    ModelPackage.Packed p = ModelPackage.pack(RAW, "m", "v1", null, null, null, NOW);
    // a huge size: the cap stays the caller's limit, and the model decompresses as it is
    ModelManifest huge = withRawBytes(p.manifest(), Long.MAX_VALUE);
    assertArrayEquals(
        RAW, ModelPackage.unpack(huge, p.payload(), null, ModelPackage.MAX_RAW_BYTES));
    assertArrayEquals(RAW, ModelPackage.unpack(huge, p.payload(), null, Long.MAX_VALUE));
    // a smaller size than the model's: refused, never truncated
    ModelManifest smaller = withRawBytes(p.manifest(), RAW.length - 1);
    assertTrue(
        modelError(() -> ModelPackage.unpack(smaller, p.payload(), null, Long.MAX_VALUE))
            .getMessage()
            .contains("more than " + (RAW.length - 1) + " bytes"));
    // a negative size: a model error, not a buffer of negative size
    ModelManifest negative = withRawBytes(p.manifest(), -1);
    modelError(() -> ModelPackage.unpack(negative, p.payload(), null, Long.MAX_VALUE));
  }

  @Test
  void formatsAreRecognizedByContentAndUnsafeOnesRefused() throws Exception {
    byte[] pickle = {(byte) 0x80, 4, (byte) 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, '}', (byte) 0x94, '.'};
    assertTrue(
        modelError(() -> ModelFormat.detect(pickle, "model 'p:v1'"))
            .getMessage()
            .startsWith("model 'p:v1' is refused: it is a Python pickle (protocol 4)"));
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
      d.write(pickle);
    }
    assertTrue(
        modelError(() -> ModelFormat.detect(z.toByteArray(), "j")).getMessage().contains("joblib"));
    assertTrue(
        modelError(() -> ModelFormat.detect(new byte[] {'P', 'K', 3, 4, 0, 0}, "z"))
            .getMessage()
            .contains("zip archive"));
    assertTrue(
        modelError(() -> ModelFormat.detect("a,b\n1,2\n".getBytes(), "c"))
            .getMessage()
            .contains("its format is unknown (first bytes: 61 2c 62 0a 31 2c 32 0a)"));
    assertEquals(ModelFormat.ONNX, ModelFormat.detect(RAW, "m"));
    // Packing refuses the same way.
    modelError(() -> ModelPackage.pack(pickle, "p", "v1", null, null, null, NOW));
  }

  static byte[] withExternalData(String location) throws Exception {
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(RAW);
    OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
    OnnxMl.TensorProto w =
        g.getInitializer(0).toBuilder()
            .clearRawData()
            .clearFloatData()
            .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
            .addExternalData(
                OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue(location))
            .build();
    return m.toBuilder().setGraph(g.setInitializer(0, w)).build().toByteArray();
  }

  @Test
  void externalDataMayNotLeaveTheModelsFolder(@TempDir Path dir) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("model"));
    for (String bad : List.of("../secrets.bin", "/etc/passwd", "sub/../../x.bin")) {
      OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(withExternalData(bad));
      assertTrue(
          modelError(() -> ModelPackage.checkExternalData(m, "model 'e:v1'", folder))
              .getMessage()
              .contains("keeps its data in '" + bad + "', outside the model's own folder"),
          bad);
    }
    // A link inside the folder that points outside it.
    Files.writeString(dir.resolve("outside.bin"), "x");
    Files.createSymbolicLink(folder.resolve("link.bin"), dir.resolve("outside.bin"));
    OnnxMl.ModelProto linked = OnnxMl.ModelProto.parseFrom(withExternalData("link.bin"));
    modelError(() -> ModelPackage.checkExternalData(linked, "model 'e:v1'", folder));

    OnnxMl.ModelProto inside = OnnxMl.ModelProto.parseFrom(withExternalData("weights/w.bin"));
    ModelPackage.checkExternalData(inside, "model 'e:v1'", folder); // allowed
    // A single-file package cannot carry external data at all.
    assertTrue(
        modelError(
                () ->
                    ModelPackage.pack(withExternalData("w.bin"), "e", "v1", null, null, null, NOW))
            .getMessage()
            .contains("in an external data file, which a single-file package cannot carry"));
  }

  @Test
  void signaturesVerifyOnlyWithATrustedKeyAndCoverIdentityAndDigest() {
    KeysetHandle signing = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
    KeysetHandle trusted = ModelKeys.parse(ModelKeys.publicKeyset(signing), "t");
    KeysetHandle stranger =
        ModelKeys.parse(
            ModelKeys.publicKeyset(ModelKeys.parse(ModelKeys.newSigningKeyset(), "t")), "t");
    ModelManifest unsigned = ModelPackage.pack(RAW, "m", "v1", null, null, null, NOW).manifest();
    ModelManifest signed = ModelKeys.sign(unsigned, signing);

    assertEquals(
        signed.signature().keyId(), ModelKeys.verify(signed, List.of(stranger, trusted), true));
    assertNull(ModelKeys.verify(unsigned, List.of(), false));
    assertTrue(
        modelError(() -> ModelKeys.verify(unsigned, List.of(trusted), true))
            .getMessage()
            .equals("model 'm:v1' is not signed, and the job requires signed models"));
    assertTrue(
        modelError(() -> ModelKeys.verify(signed, List.of(stranger), true))
            .getMessage()
            .contains("which no trusted key verifies"));
    ModelManifest moved = ModelManifest.fromJson(signed.toJson().replace("\"v1\"", "\"v9\""), "t");
    modelError(() -> ModelKeys.verify(moved, List.of(trusted), true));
  }
}
