package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.KeysetHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer a package carries (issue 19): left out of manifests that carry none, so manifests
 * and signatures made before it existed hold byte for byte; covered by new signatures; its inputs
 * checked against the model's.
 */
class ManifestTokenizerTest {
  /** A text model's manifest: int64 input_ids and attention_mask of shape [-1, -1]. */
  static final String TEXT =
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
        "created" : "2026-12-01T00:00:00Z",
        "inputs" : [ { "name" : "input_ids", "type" : "int64", "shape" : [ -1, -1 ] },
                     { "name" : "attention_mask", "type" : "int64", "shape" : [ -1, -1 ] },
                     { "name" : "scale", "type" : "float", "shape" : [ -1, 1 ] } ],
        "outputs" : [ { "name" : "logits", "type" : "float", "shape" : [ -1, 3 ] } ],
        "packed_sha256" : "sha256:bb"
      }
      """;

  static ModelManifest.Tokenizer tokenizer(Map<String, String> inputs) {
    return new ModelManifest.Tokenizer(
        "wordpiece",
        "sha256:cc",
        1234,
        30522L,
        List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"),
        128,
        "right",
        new TreeMap<>(inputs));
  }

  static final Map<String, String> BY_NAME =
      Map.of("input_ids", "input_ids", "attention_mask", "attention_mask");

  @Test
  void aManifestWithoutATokenizerKeepsItsCanonicalBytesAndJson() {
    ModelManifest m = ModelManifest.fromJson(ManifestTaskTest.OLD, "t");
    assertNull(m.tokenizer());
    assertEquals(
        ManifestTaskTest.OLD_CANONICAL, new String(m.canonicalBytes(), StandardCharsets.UTF_8));
    assertFalse(m.toJson().contains("tokenizer"), m.toJson());
    // and the copies made on the way (task, vocabulary, signature) add none
    ModelManifest copied =
        m.withTask(null).withSignature(null).withFiles(null).withVocabSizes(Map.of());
    assertEquals(
        ManifestTaskTest.OLD_CANONICAL,
        new String(copied.canonicalBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void aTokenizerIsStoredReadBackAndCanonicallyCovered() {
    ModelManifest m = ModelManifest.fromJson(TEXT, "t").withTokenizer(tokenizer(BY_NAME));
    String json = m.toJson();
    assertTrue(json.contains("\"max_length\" : 128"), json);
    assertTrue(json.contains("\"special_tokens\" : [ \"[PAD]\", \"[UNK]\", \"[CLS]\""), json);
    assertEquals(tokenizer(BY_NAME), ModelManifest.fromJson(json, "t").tokenizer());
    assertTrue(
        new String(m.canonicalBytes(), StandardCharsets.UTF_8)
            .contains(
                "\"tokenizer\":{\"bytes\":1234,\"inputs\":{\"attention_mask\":\"attention_mask\","
                    + "\"input_ids\":\"input_ids\"},\"kind\":\"wordpiece\",\"max_length\":128,"
                    + "\"sha256\":\"sha256:cc\",\"special_tokens\":[\"[PAD]\",\"[UNK]\",\"[CLS]\","
                    + "\"[SEP]\"],\"truncation\":\"right\",\"vocab_size\":30522}"),
        new String(m.canonicalBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void laterCopiesKeepTheTokenizerAndTheTask() {
    ModelManifest.Task task = new ModelManifest.Task("classifier", null, null, null, null, null);
    ModelManifest m =
        ModelManifest.fromJson(TEXT, "t").withTokenizer(tokenizer(BY_NAME)).withTask(task);
    ModelManifest copied = m.withVocabSizes(Map.of("input_ids", 30522L)).withFiles(List.of());
    assertEquals(tokenizer(BY_NAME), copied.tokenizer());
    assertEquals(task, copied.task());
  }

  @Test
  void aSignatureCoversTheTokenizer() {
    KeysetHandle signing = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
    KeysetHandle trusted = ModelKeys.parse(ModelKeys.publicKeyset(signing), "t");
    ModelManifest signed =
        ModelKeys.sign(
            ModelManifest.fromJson(TEXT, "t").withTokenizer(tokenizer(BY_NAME)), signing);
    ModelManifest back = ModelManifest.fromJson(signed.toJson(), "t");
    ModelKeys.verify(back, List.of(trusted), true);
    ModelManifest.Tokenizer t = back.tokenizer();
    ModelManifest otherBytes =
        back.withTokenizer(
            new ModelManifest.Tokenizer(
                t.kind(),
                "sha256:dd",
                t.bytes(),
                t.vocabSize(),
                t.specialTokens(),
                t.maxLength(),
                t.truncation(),
                t.inputs()));
    InferlakeException e =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.verify(otherBytes, List.of(trusted), true));
    assertEquals(ErrorKind.MODEL, e.kind());
  }

  @Test
  void aDeclaredInputTheModelDoesNotHaveIsRefusedNamingBoth() {
    ModelManifest m = ModelManifest.fromJson(TEXT, "t");
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                m.withTokenizer(
                    tokenizer(Map.of("input_ids", "tokens", "attention_mask", "attention_mask"))));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(
        "the tokenizer of model 'm:v1' declares input_ids for input 'tokens', which is not an"
            + " int64 input of the model; its inputs are [input_ids (int64[-1, -1]),"
            + " attention_mask (int64[-1, -1]), scale (float[-1, 1])]",
        e.getMessage());
  }

  @Test
  void aDeclaredInputOfAnotherTypeIsRefused() {
    ModelManifest m = ModelManifest.fromJson(TEXT, "t");
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                m.withTokenizer(
                    tokenizer(
                        Map.of(
                            "input_ids",
                            "input_ids",
                            "attention_mask",
                            "attention_mask",
                            "token_type_ids",
                            "scale"))));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().contains("token_type_ids for input 'scale'"), e.getMessage());
  }

  @Test
  void anInt64InputLeftUnfedIsRefused() {
    ModelManifest m = ModelManifest.fromJson(TEXT, "t");
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> m.withTokenizer(tokenizer(Map.of("input_ids", "input_ids"))));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(
        "int64 input 'attention_mask' of model 'm:v1' receives nothing from its tokenizer, which"
            + " feeds {input_ids=input_ids}; map it with --text-input ROLE=attention_mask",
        e.getMessage());
  }

  @Test
  void aTokenizerWithoutInputIdsIsRefused() {
    ModelManifest m = ModelManifest.fromJson(TEXT, "t");
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> m.withTokenizer(tokenizer(Map.of("attention_mask", "attention_mask"))));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().contains("but no input_ids"), e.getMessage());
  }

  @Test
  void aTokenizerFileIsDescribedFromItsJson() {
    String json =
        "{\"added_tokens\":[{\"id\":0,\"content\":\"<pad>\",\"special\":true},"
            + "{\"id\":5,\"content\":\"<extra>\",\"special\":false},"
            + "{\"id\":1,\"content\":\"<s>\",\"special\":true}],"
            + "\"model\":{\"type\":\"BPE\",\"vocab\":{\"<pad>\":0,\"<s>\":1,\"a\":2,\"b\":3,"
            + "\"ab\":4},\"merges\":[\"a b\"]}}";
    TokenizerFile f = TokenizerFile.describe(json.getBytes(StandardCharsets.UTF_8), "t");
    assertEquals("bpe", f.kind());
    assertEquals(6, f.vocabSize()); // 5 in the vocabulary, <extra> added beside it
    assertEquals(List.of("<pad>", "<s>"), f.specialTokens());
  }

  @Test
  void bytesThatAreNoTokenizerFileAreRefused() {
    InferlakeException notJson =
        assertThrows(
            InferlakeException.class,
            () -> TokenizerFile.describe("vocab.txt".getBytes(StandardCharsets.UTF_8), "file x"));
    assertEquals(ErrorKind.MODEL, notJson.kind());
    assertTrue(
        notJson
            .getMessage()
            .startsWith("file x is not a HuggingFace tokenizer.json: it is not JSON"),
        notJson.getMessage());
    InferlakeException noVocab =
        assertThrows(
            InferlakeException.class,
            () ->
                TokenizerFile.describe(
                    "{\"model\":{\"type\":\"WordPiece\"}}".getBytes(StandardCharsets.UTF_8),
                    "file x"));
    assertTrue(noVocab.getMessage().endsWith("its model has no vocabulary"), noVocab.getMessage());
  }
}
