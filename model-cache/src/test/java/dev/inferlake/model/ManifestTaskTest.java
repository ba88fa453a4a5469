package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.KeysetHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The task a package declares (issue 18): left out of manifests that declare none, so manifests and
 * signatures made before it existed hold byte for byte; covered by new signatures.
 */
class ManifestTaskTest {
  /** A manifest as the registry stored it before tasks existed. */
  static final String OLD =
      """
      {
        "name" : "m",
        "version" : "v1",
        "format" : "ONNX",
        "sha256" : "sha256:aa",
        "raw_bytes" : 10,
        "packed_bytes" : 8,
        "compression" : "zstd",
        "encryption" : "none",
        "created" : "2026-11-01T00:00:00Z",
        "inputs" : [ { "name" : "input", "type" : "float", "shape" : [ -1, 4 ] } ],
        "outputs" : [ { "name" : "probabilities", "type" : "float", "shape" : [ -1, 3 ] } ],
        "packed_sha256" : "sha256:bb"
      }
      """;

  /** What an {@code ed25519-manifest-v2} signature of {@link #OLD} covers, written out by hand. */
  static final String OLD_CANONICAL =
      "inferlake-model-v2\n"
          + "{\"compression\":\"zstd\",\"created\":\"2026-11-01T00:00:00Z\",\"encryption\":\"none\","
          + "\"format\":\"ONNX\",\"inputs\":[{\"name\":\"input\",\"shape\":[-1,4],\"type\":\"float\"}],"
          + "\"name\":\"m\",\"outputs\":[{\"name\":\"probabilities\",\"shape\":[-1,3],"
          + "\"type\":\"float\"}],\"packed_bytes\":8,\"packed_sha256\":\"sha256:bb\","
          + "\"raw_bytes\":10,\"sha256\":\"sha256:aa\",\"version\":\"v1\"}";

  @Test
  void aManifestWithoutATaskKeepsItsCanonicalBytesAndJson() {
    ModelManifest m = ModelManifest.fromJson(OLD, "t");
    assertNull(m.task());
    assertEquals(OLD_CANONICAL, new String(m.canonicalBytes(), StandardCharsets.UTF_8));
    assertFalse(m.toJson().contains("task"), m.toJson());
  }

  @Test
  void aTaskIsStoredWithoutItsNullFieldsAndReadBack() {
    ModelManifest.Task task =
        new ModelManifest.Task("binary", null, List.of("no", "yes"), 0.3, true, null);
    ModelManifest m = ModelManifest.fromJson(OLD, "t").withTask(task);
    String json = m.toJson();
    assertTrue(
        json.contains(
            "\"task\" : {\n    \"kind\" : \"binary\",\n    \"class_names\" : [ \"no\", \"yes\" ],\n"
                + "    \"threshold\" : 0.3,\n    \"logits\" : true\n  }"),
        json);
    assertEquals(task, ModelManifest.fromJson(json, "t").task());
    assertTrue(
        new String(m.canonicalBytes(), StandardCharsets.UTF_8)
            .contains(
                "\"task\":{\"class_names\":[\"no\",\"yes\"],\"kind\":\"binary\",\"logits\":true,"
                    + "\"threshold\":0.3}"));
  }

  @Test
  void aSignatureCoversTheTask() {
    KeysetHandle signing = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
    KeysetHandle trusted = ModelKeys.parse(ModelKeys.publicKeyset(signing), "t");
    ModelManifest.Task binary = new ModelManifest.Task("binary", null, null, 0.5, null, null);
    ModelManifest signed =
        ModelKeys.sign(ModelManifest.fromJson(OLD, "t").withTask(binary), signing);
    ModelManifest back = ModelManifest.fromJson(signed.toJson(), "t");
    assertEquals(
        Integer.toUnsignedString(signing.getPrimary().getId()),
        ModelKeys.verify(back, List.of(trusted), true));
    ModelManifest edited =
        back.withTask(new ModelManifest.Task("binary", null, null, 0.9, null, null));
    InferlakeException e =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.verify(edited, List.of(trusted), true));
    assertEquals(ErrorKind.MODEL, e.kind());
  }
}
