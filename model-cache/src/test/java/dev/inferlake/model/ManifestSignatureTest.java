package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import dev.inferlake.model.testing.TestModels;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What a manifest's signature covers (issue 17, items 3 and 10): every field but the signature, as
 * an attacker who can edit the registry's files but holds no signing key would try them.
 */
class ManifestSignatureTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final byte[] RAW = TestModels.linear(8, 3, 5).onnxBytes();
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final KeysetHandle SIGNING = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
  static final KeysetHandle TRUSTED = ModelKeys.parse(ModelKeys.publicKeyset(SIGNING), "t");

  static ModelManifest signed() {
    return ModelKeys.sign(
        ModelPackage.pack(RAW, "m", "v1", null, null, null, NOW).manifest(), SIGNING);
  }

  /** The manifest as the registry holds it, edited, and read back. */
  static ModelManifest edited(ModelManifest m, Consumer<ObjectNode> edit) throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(m.toJson());
    edit.accept(tree);
    return ModelManifest.fromJson(JSON.writeValueAsString(tree), "t");
  }

  @Test
  void aSignatureSurvivesTheRegistrysRoundTrip() throws Exception {
    ModelManifest back = edited(signed(), t -> {});
    assertEquals(
        Integer.toUnsignedString(SIGNING.getPrimary().getId()),
        ModelKeys.verify(back, List.of(TRUSTED), true));
  }

  @Test
  void everyFieldThatSteersScoringIsCovered() throws Exception {
    Map<String, Consumer<ObjectNode>> edits = new LinkedHashMap<>();
    edits.put(
        "output shape [-1,3] -> [-1,4]",
        t -> ((ArrayNode) t.withArray("outputs").get(0).withArray("shape")).set(1, 4));
    edits.put("input name", t -> ((ObjectNode) t.withArray("inputs").get(0)).put("name", "other"));
    edits.put(
        "output type", t -> ((ObjectNode) t.withArray("outputs").get(0)).put("type", "double"));
    edits.put("raw_bytes", t -> t.put("raw_bytes", t.get("raw_bytes").asLong() + 1));
    edits.put("packed_bytes", t -> t.put("packed_bytes", 1));
    edits.put("packed_sha256", t -> t.put("packed_sha256", "sha256:" + "0".repeat(64)));
    ModelManifest m = signed();
    for (Map.Entry<String, Consumer<ObjectNode>> e : edits.entrySet()) {
      ModelManifest forged = edited(m, e.getValue());
      InferlakeException ex =
          assertThrows(
              InferlakeException.class,
              () -> ModelKeys.verify(forged, List.of(TRUSTED), true),
              e.getKey() + " must break the signature");
      assertEquals(ErrorKind.MODEL, ex.kind(), e.getKey());
    }
  }

  @Test
  void aSignatureThatIsNotBase64IsAModelError() throws Exception {
    ModelManifest forged =
        edited(signed(), t -> ((ObjectNode) t.get("signature")).put("value", "not base64 %%"));
    InferlakeException ex =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.verify(forged, List.of(TRUSTED), true));
    assertEquals(ErrorKind.MODEL, ex.kind());
    assertTrue(ex.getMessage().contains("m:v1"), ex.getMessage());
  }

  @Test
  void theAuditSignerIsTheKeyThatVerifiedItOrNone() {
    assertNull(
        ModelKeys.verify(signed(), List.of(), false),
        "nothing verified the claimed key id, so no signer is recorded");
  }

  @Test
  void signaturesOfTheFirstSchemeStillVerify() throws Exception {
    ModelManifest unsigned = ModelPackage.pack(RAW, "m", "v1", null, null, null, NOW).manifest();
    byte[] sig = SIGNING.getPrimitive(PublicKeySign.class).sign(unsigned.signedBytes());
    ModelManifest old =
        unsigned.withSignature(
            new ModelManifest.Signature(
                "ed25519",
                Integer.toUnsignedString(SIGNING.getPrimary().getId()),
                Base64.getEncoder().encodeToString(sig)));
    assertEquals(
        Integer.toUnsignedString(SIGNING.getPrimary().getId()),
        ModelKeys.verify(edited(old, t -> {}), List.of(TRUSTED), true));
  }

  @Test
  void anUntrustedSignatureNamesTheKeysLoadedAndAPrivateKeysetGivenAsTrusted() {
    KeysetHandle stranger =
        ModelKeys.parse(
            ModelKeys.publicKeyset(ModelKeys.parse(ModelKeys.newSigningKeyset(), "t")), "t");
    KeysetHandle otherPrivate = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
    InferlakeException ex =
        assertThrows(
            InferlakeException.class,
            () -> ModelKeys.verify(signed(), List.of(stranger, otherPrivate), true));
    assertEquals(ErrorKind.MODEL, ex.kind());
    String strangerId = Integer.toUnsignedString(stranger.getPrimary().getId());
    String privateId = Integer.toUnsignedString(otherPrivate.getPrimary().getId());
    assertTrue(ex.getMessage().contains("which no trusted key verifies"), ex.getMessage());
    assertTrue(
        ex.getMessage().contains("trusted keys loaded: " + strangerId + ", " + privateId),
        ex.getMessage());
    assertTrue(ex.getMessage().contains(privateId + " is a private keyset"), ex.getMessage());
  }

  @Test
  void aMissingKeyFileIsAModelError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path missing = dir.resolve("nope.json");
    InferlakeException ex =
        assertThrows(InferlakeException.class, () -> ModelKeys.fromFile(missing));
    assertEquals(ErrorKind.MODEL, ex.kind());
    assertEquals("key file " + missing + " cannot be read: no such file", ex.getMessage());
  }
}
