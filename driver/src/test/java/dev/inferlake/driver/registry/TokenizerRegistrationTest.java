package dev.inferlake.driver.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.executors.testing.WordPieceTokenizers;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelKeys;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.testing.TypedModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model register --tokenizer}: the tokenizer.json travels in the package, bound to the
 * manifest (and its signature) by its digest, is shown by {@code model inspect}, and is refused
 * (exit 4, naming both sides) when its inputs do not match the model's.
 */
class TokenizerRegistrationTest {
  @TempDir static Path dir;
  static Path tokenizer;
  static Path textModel;
  static Path threeInputs;
  static Path signKey;
  static Path publicKey;

  @BeforeAll
  static void files() throws Exception {
    tokenizer = Files.write(dir.resolve("tokenizer.json"), WordPieceTokenizers.bertLike());
    textModel =
        Files.write(
            dir.resolve("text.onnx"), TypedModels.textInputs("input_ids", "attention_mask"));
    threeInputs =
        Files.write(dir.resolve("bert.onnx"), TypedModels.textInputs("ids", "mask", "segments"));
    signKey = dir.resolve("sign.json");
    publicKey = dir.resolve("sign.pub.json");
    Cli k =
        Cli.run(
            "model",
            "keygen",
            "--type",
            "signing",
            "--out",
            signKey.toString(),
            "--public-out",
            publicKey.toString());
    assertEquals(0, k.exitCode(), k.err());
  }

  static Cli register(String registry, String version, Path model, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "model",
                "--registry",
                registry,
                "register",
                "--name",
                "text",
                "--version",
                version,
                model.toString()));
    args.addAll(Arrays.asList(more));
    return Cli.run(args.toArray(new String[0]));
  }

  static String registry(String name) {
    return dir.resolve(name).toString();
  }

  @Test
  void theTokenizerIsStoredCoveredByTheManifestAndShownByInspect() throws Exception {
    String reg = registry("stored");
    Cli r =
        register(
            reg,
            "v1",
            textModel,
            "--tokenizer",
            tokenizer.toString(),
            "--max-length",
            "64",
            "--truncation",
            "left",
            "--sign-key",
            signKey.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(
        r.out().contains("tokenizer wordpiece feeding {attention_mask=attention_mask,"), r.out());

    ModelRegistry registry = new ModelRegistry(reg, new Configuration());
    ModelManifest m = registry.verified("text", "v1");
    ModelManifest.Tokenizer t = m.tokenizer();
    byte[] json = WordPieceTokenizers.bertLike();
    assertEquals("wordpiece", t.kind());
    assertEquals(ModelDigest.sha256(json), t.sha256());
    assertEquals(json.length, t.bytes());
    assertEquals(15L, t.vocabSize());
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"), t.specialTokens());
    assertEquals(64, t.maxLength());
    assertEquals("left", t.truncation());
    // by name: each role feeds the int64 input of the same name
    assertEquals(Map.of("input_ids", "input_ids", "attention_mask", "attention_mask"), t.inputs());
    assertArrayEquals(json, registry.tokenizer("text", "v1"));
    assertArrayEquals(json, Files.readAllBytes(dir.resolve("stored/text/v1/tokenizer.json")));
    ModelKeys.verify(m, List.of(ModelKeys.parse(Files.readString(publicKey), "public key")), true);

    Cli inspect = Cli.run("model", "--registry", reg, "inspect", "text:v1");
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(
        inspect
            .out()
            .contains(
                "tokenizer  wordpiece, vocabulary 15, special tokens [[PAD], [UNK], [CLS],"
                    + " [SEP]]\n"
                    + "           max length 64, truncation left, feeds"
                    + " input_ids -> input_ids, attention_mask -> attention_mask\n"
                    + "           "
                    + ModelDigest.sha256(json)
                    + String.format(" (%,d bytes)%n", json.length)),
        inspect.out());
  }

  @Test
  void aCompressedVersionCarriesItsSourcesTokenizer() throws Exception {
    String reg = registry("compressed");
    assertEquals(
        0,
        register(reg, "v1", textModel, "--tokenizer", tokenizer.toString(), "--max-length", "32")
            .exitCode());
    Cli c =
        Cli.run(
            "model",
            "--registry",
            reg,
            "compress",
            "--from",
            "text:v1",
            "--to",
            "v1-fp16",
            "--method",
            "fp16");
    assertEquals(0, c.exitCode(), c.err());
    ModelRegistry registry = new ModelRegistry(reg, new Configuration());
    ModelManifest source = registry.manifest("text", "v1");
    ModelManifest target = registry.verified("text", "v1-fp16");
    assertEquals(source.tokenizer(), target.tokenizer());
    assertEquals(32, target.tokenizer().maxLength());
    assertArrayEquals(WordPieceTokenizers.bertLike(), registry.tokenizer("text", "v1-fp16"));
  }

  @Test
  void aChangedTokenizerFileFailsVerification() throws Exception {
    String reg = registry("tampered");
    assertEquals(0, register(reg, "v1", textModel, "--tokenizer", tokenizer.toString()).exitCode());
    Path stored = dir.resolve("tampered/text/v1/tokenizer.json");
    Files.writeString(
        stored, Files.readString(stored).replace("\"lowercase\":true", "\"lowercase\":false"));
    Files.deleteIfExists(dir.resolve("tampered/text/v1/.tokenizer.json.crc"));
    ModelRegistry registry = new ModelRegistry(reg, new Configuration());
    InferlakeException e =
        assertThrows(InferlakeException.class, () -> registry.verified("text", "v1"));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().contains("tokenizer 'tokenizer.json"), e.getMessage());
    assertThrows(InferlakeException.class, () -> registry.tokenizer("text", "v1"));
  }

  @Test
  void explicitTextInputsMapRolesToOtherNames() throws Exception {
    String reg = registry("mapped");
    Cli r =
        register(
            reg,
            "v1",
            threeInputs,
            "--tokenizer",
            tokenizer.toString(),
            "--text-input",
            "input_ids=ids,attention_mask=mask",
            "--text-input",
            "token_type_ids=segments");
    assertEquals(0, r.exitCode(), r.err());
    ModelManifest m = new ModelRegistry(reg, new Configuration()).manifest("text", "v1");
    assertEquals(
        Map.of("input_ids", "ids", "attention_mask", "mask", "token_type_ids", "segments"),
        m.tokenizer().inputs());
    assertEquals(512, m.tokenizer().maxLength());
    assertEquals("right", m.tokenizer().truncation());
  }

  @Test
  void aTokenizerNamingAnInputTheModelLacksIsRefusedWithExit4AndNothingWritten() {
    String reg = registry("mismatch");
    Cli r =
        register(
            reg,
            "v1",
            textModel,
            "--tokenizer",
            tokenizer.toString(),
            "--text-input",
            "input_ids=tokens,attention_mask=attention_mask");
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(
        r.errorLine()
            .contains(
                "the tokenizer of model 'text:v1' declares input_ids for input 'tokens', which is"
                    + " not an int64 input of the model; its inputs are [input_ids (int64[-1,"
                    + " -1]), attention_mask (int64[-1, -1])]"),
        r.errorLine());
    assertFalse(Files.exists(dir.resolve("mismatch/text/v1/manifest.json")));
    assertFalse(Files.exists(dir.resolve("mismatch/text/v1/tokenizer.json")));
  }

  @Test
  void aModelWhoseInputsAreNamedOtherwiseIsRefusedWithoutTextInput() {
    Cli r = register(registry("unnamed"), "v1", threeInputs, "--tokenizer", tokenizer.toString());
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(
        r.errorLine()
            .contains(
                "feeds {} but no input_ids; the model's int64 inputs are [ids,"
                    + " mask, segments]"),
        r.errorLine());
  }

  @Test
  void anInputLeftUnfedIsRefused() {
    Cli r =
        register(
            registry("unfed"),
            "v1",
            textModel,
            "--tokenizer",
            tokenizer.toString(),
            "--text-input",
            "input_ids=input_ids");
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(
        r.errorLine().contains("int64 input 'attention_mask' of model 'text:v1' receives nothing"),
        r.errorLine());
  }

  @Test
  void aMaxLengthShorterThanTheSpecialTokensIsRefused() {
    Cli r =
        register(
            registry("short"),
            "v1",
            textModel,
            "--tokenizer",
            tokenizer.toString(),
            "--max-length",
            "1");
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(
        r.errorLine().contains("adds 2 special tokens, more than its max length 1"), r.err());
  }

  @Test
  void aFileThatIsNoTokenizerIsRefused() throws Exception {
    Path vocab = Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\nthe\n");
    Cli r = register(registry("vocab"), "v1", textModel, "--tokenizer", vocab.toString());
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(
        r.errorLine()
            .contains("the tokenizer of model 'text:v1' is not a HuggingFace tokenizer.json"),
        r.errorLine());
  }

  @Test
  void tokenizerOptionsAreCheckedAsUsage() {
    String reg = registry("usage");
    Cli side =
        register(reg, "v1", textModel, "--tokenizer", tokenizer.toString(), "--truncation", "mid");
    assertEquals(2, side.exitCode(), side.err());
    assertTrue(side.err().contains("--truncation is 'mid'; expected right or left"), side.err());
    Cli alone = register(reg, "v1", textModel, "--max-length", "32");
    assertEquals(2, alone.exitCode(), alone.err());
    assertTrue(alone.err().contains("need --tokenizer"), alone.err());
    Cli role =
        register(
            reg, "v1", textModel, "--tokenizer", tokenizer.toString(), "--text-input", "ids=x");
    assertEquals(2, role.exitCode(), role.err());
    assertTrue(role.err().contains("--text-input names [ids]"), role.err());
  }

  @Test
  void aModelWithoutATokenizerHasNoneAndSaysSoWhenAsked() {
    String reg = registry("none");
    Cli r = register(reg, "v1", textModel);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(
        r.err()
            .contains(
                "note: model 'text:v1' takes token ids (input_ids int64[-1, -1]) but carries no"
                    + " tokenizer"),
        r.err());
    Cli other = register(reg, "v2", threeInputs);
    assertEquals(0, other.exitCode(), other.err());
    assertFalse(other.err().contains("note:"), other.err());
    ModelRegistry registry = new ModelRegistry(reg, new Configuration());
    assertNull(registry.verified("text", "v1").tokenizer());
    assertFalse(Files.exists(dir.resolve("none/text/v1/tokenizer.json")));
    InferlakeException e =
        assertThrows(InferlakeException.class, () -> registry.tokenizer("text", "v1"));
    assertEquals(
        "model 'text:v1' carries no tokenizer; register it with --tokenizer tokenizer.json to"
            + " score text",
        e.getMessage());
    String manifest =
        new String(
            registry.manifest("text", "v1").toJson().getBytes(StandardCharsets.UTF_8),
            StandardCharsets.UTF_8);
    assertFalse(manifest.contains("tokenizer"), manifest);
  }
}
