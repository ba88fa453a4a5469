package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.KeysetHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Vocabulary sizes in the manifest: declared per integer input, covered by the signature, and left
 * out of the JSON when undeclared, so manifests written before the field existed keep their bytes.
 */
class ManifestVocabularyTest {
  /** A manifest as inferlake wrote them before vocabulary sizes existed. */
  static final String OLD =
      """
      {
        "name" : "rec",
        "version" : "v1",
        "format" : "ONNX",
        "sha256" : "sha256:aa",
        "raw_bytes" : 10,
        "packed_bytes" : 8,
        "compression" : "zstd",
        "encryption" : "none",
        "created" : "2026-11-01T00:00:00Z",
        "inputs" : [ {
          "name" : "ids",
          "type" : "int64",
          "shape" : [ -1, 1 ]
        }, {
          "name" : "x",
          "type" : "float",
          "shape" : [ -1, 2 ]
        } ],
        "outputs" : [ {
          "name" : "y",
          "type" : "float",
          "shape" : [ -1, 2 ]
        } ],
        "packed_sha256" : "sha256:bb"
      }""";

  @Test
  void aManifestWrittenBeforeVocabularySizesKeepsItsCanonicalBytes() {
    ModelManifest old = ModelManifest.fromJson(OLD, "t");
    assertEquals(
        "inferlake-model-v2\n"
            + "{\"compression\":\"zstd\",\"created\":\"2026-11-01T00:00:00Z\",\"encryption\":\"none\","
            + "\"format\":\"ONNX\",\"inputs\":[{\"name\":\"ids\",\"shape\":[-1,1],\"type\":\"int64\"},"
            + "{\"name\":\"x\",\"shape\":[-1,2],\"type\":\"float\"}],\"name\":\"rec\","
            + "\"outputs\":[{\"name\":\"y\",\"shape\":[-1,2],\"type\":\"float\"}],"
            + "\"packed_bytes\":8,\"packed_sha256\":\"sha256:bb\",\"raw_bytes\":10,"
            + "\"sha256\":\"sha256:aa\",\"version\":\"v1\"}",
        new String(old.canonicalBytes(), StandardCharsets.UTF_8));
    assertFalse(old.toJson().contains("vocab"), old.toJson());
    assertEquals(Map.of(), old.vocabSizes());
  }

  @Test
  void aDeclaredVocabularyIsWrittenReadBackAndSigned() throws Exception {
    ModelManifest m = ModelManifest.fromJson(OLD, "t").withVocabSizes(Map.of("ids", 1000L));
    assertTrue(m.toJson().contains("\"vocab_size\" : 1000"), m.toJson());
    ModelManifest back = ModelManifest.fromJson(m.toJson(), "t");
    assertEquals(Map.of("ids", 1000L), back.vocabSizes());
    assertEquals(
        ModelManifest.fromJson(OLD, "t").modelSignature(),
        back.modelSignature(),
        "a vocabulary is no part of the model's own signature");

    KeysetHandle key = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
    KeysetHandle trusted = ModelKeys.parse(ModelKeys.publicKeyset(key), "t");
    ModelManifest signed = ModelKeys.sign(back, key);
    ModelKeys.verify(signed, List.of(trusted), true);
    ModelManifest widened = ModelManifest.fromJson(signed.toJson().replace("1000", "1000000"), "t");
    assertEquals(Map.of("ids", 1000000L), widened.vocabSizes());
    InferlakeException e =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.verify(widened, List.of(trusted), true));
    assertEquals(ErrorKind.MODEL, e.kind(), "an edited vocabulary breaks the signature");
  }

  @Test
  void onlyIntegerInputsOfTheModelDeclareAVocabulary() {
    ModelManifest m = ModelManifest.fromJson(OLD, "t");
    InferlakeException unknown =
        assertThrows(InferlakeException.class, () -> m.withVocabSizes(Map.of("idz", 10L)));
    assertEquals(ErrorKind.USAGE, unknown.kind());
    assertEquals(
        "vocabulary size for 'idz': model 'rec:v1' has no such input; its inputs are [ids, x]",
        unknown.getMessage());
    InferlakeException floats =
        assertThrows(InferlakeException.class, () -> m.withVocabSizes(Map.of("x", 10L)));
    assertEquals(
        "vocabulary size for input 'x' of model 'rec:v1' (float[-1, 2]): only integer inputs"
            + " (int64, int32, int8, uint8) hold ids",
        floats.getMessage());
    InferlakeException zero =
        assertThrows(InferlakeException.class, () -> m.withVocabSizes(Map.of("ids", 0L)));
    assertEquals(
        "vocabulary size for input 'ids' of model 'rec:v1' is 0; it must be at least 1 (ids run"
            + " from 0 to size - 1)",
        zero.getMessage());
  }
}
