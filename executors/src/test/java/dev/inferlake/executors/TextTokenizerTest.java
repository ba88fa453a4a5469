package dev.inferlake.executors;

import static dev.inferlake.executors.testing.WordPieceTokenizers.CLS;
import static dev.inferlake.executors.testing.WordPieceTokenizers.SEP;
import static dev.inferlake.executors.testing.WordPieceTokenizers.UNK;
import static dev.inferlake.executors.testing.WordPieceTokenizers.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.testing.WordPieceTokenizers;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {

  private static TextTokenizer load(int maxLength, TextTokenizer.Truncation side) {
    return TextTokenizer.load(WordPieceTokenizers.bertLike(), maxLength, side, "m:v1");
  }

  @Test
  void idsAreTheHandWorkedOnesWithoutPadding() {
    try (TextTokenizer t = load(16, TextTokenizer.Truncation.RIGHT)) {
      TextTokenizer.Batch b = t.encode(List.of("The CAT sat.", "Playing dogs", "played a mat"));
      // lowercased, split on punctuation, [CLS] ... [SEP]
      assertArrayEquals(
          new long[] {CLS, id("the"), id("cat"), id("sat"), id("."), SEP}, b.inputIds()[0]);
      // "playing" = play ##ing; "dogs" has no ##s piece, so the whole word is [UNK]
      assertArrayEquals(new long[] {CLS, id("play"), id("##ing"), UNK, SEP}, b.inputIds()[1]);
      assertArrayEquals(
          new long[] {CLS, id("play"), id("##ed"), id("a"), id("mat"), SEP}, b.inputIds()[2]);
      assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1}, b.attentionMask()[0]);
      assertArrayEquals(new long[] {1, 1, 1, 1, 1}, b.attentionMask()[1]);
      assertArrayEquals(new long[] {0, 0, 0, 0, 0}, b.tokenTypeIds()[1]);
      assertEquals(6, b.longest());
      assertEquals(0, b.truncatedRows());
      assertEquals(17, b.tokens());
      assertEquals(3, b.size());
    }
  }

  @Test
  void emptyTextIsJustTheSpecialTokens() {
    try (TextTokenizer t = load(8, TextTokenizer.Truncation.RIGHT)) {
      TextTokenizer.Batch b = t.encode(List.of("", "   "));
      assertArrayEquals(new long[] {CLS, SEP}, b.inputIds()[0]);
      assertArrayEquals(new long[] {CLS, SEP}, b.inputIds()[1]);
      assertArrayEquals(new long[] {1, 1}, b.attentionMask()[0]);
      assertEquals(2, b.longest());
      assertEquals(0, b.truncatedRows());
    }
  }

  @Test
  void rightTruncationKeepsTheStartAndTheSpecialTokens() {
    try (TextTokenizer t = load(5, TextTokenizer.Truncation.RIGHT)) {
      TextTokenizer.Batch b = t.encode(List.of("the cat sat on the mat", "the cat", "a dog sat"));
      assertArrayEquals(new long[] {CLS, id("the"), id("cat"), id("sat"), SEP}, b.inputIds()[0]);
      assertArrayEquals(new long[] {CLS, id("the"), id("cat"), SEP}, b.inputIds()[1]);
      assertArrayEquals(new long[] {CLS, id("a"), id("dog"), id("sat"), SEP}, b.inputIds()[2]);
      assertArrayEquals(new long[] {1, 1, 1, 1, 1}, b.attentionMask()[0]);
      assertEquals(5, b.tokenTypeIds()[0].length);
      assertEquals(5, b.longest());
      assertEquals(1, b.truncatedRows()); // exactly 5 tokens is not truncated
    }
  }

  @Test
  void leftTruncationKeepsTheEndAndTheSpecialTokens() {
    try (TextTokenizer t = load(5, TextTokenizer.Truncation.LEFT)) {
      TextTokenizer.Batch b = t.encode(List.of("the cat sat on the mat", "playing on a mat."));
      assertArrayEquals(new long[] {CLS, id("on"), id("the"), id("mat"), SEP}, b.inputIds()[0]);
      assertArrayEquals(new long[] {CLS, id("a"), id("mat"), id("."), SEP}, b.inputIds()[1]);
      assertEquals(2, b.truncatedRows());
    }
  }

  @Test
  void theFilesOwnTruncationAndPaddingAreSwitchedOff() {
    String json =
        new String(WordPieceTokenizers.bertLike(), StandardCharsets.UTF_8)
            .replace(
                "\"truncation\":null,\"padding\":null",
                "\"truncation\":{\"direction\":\"Right\",\"max_length\":3,"
                    + "\"strategy\":\"LongestFirst\",\"stride\":0},"
                    + "\"padding\":{\"strategy\":{\"Fixed\":12},\"direction\":\"Right\","
                    + "\"pad_to_multiple_of\":null,\"pad_id\":0,\"pad_type_id\":0,"
                    + "\"pad_token\":\"[PAD]\"}");
    try (TextTokenizer t =
        TextTokenizer.load(
            json.getBytes(StandardCharsets.UTF_8), 7, TextTokenizer.Truncation.RIGHT, "m:v1")) {
      TextTokenizer.Batch b = t.encode(List.of("the cat sat on the mat", "a dog"));
      // neither cut to 3 nor padded to 12: cut to 7 by this class, and counted
      assertArrayEquals(
          new long[] {CLS, id("the"), id("cat"), id("sat"), id("on"), id("the"), SEP},
          b.inputIds()[0]);
      assertArrayEquals(new long[] {CLS, id("a"), id("dog"), SEP}, b.inputIds()[1]);
      assertEquals(1, b.truncatedRows());
    }
  }

  @Test
  void aMaxLengthBelowTheSpecialTokensIsRefusedNamingTheModel() {
    try (TextTokenizer t = load(1, TextTokenizer.Truncation.RIGHT)) {
      InferlakeException e =
          assertThrows(InferlakeException.class, () -> t.encode(List.of("the cat")));
      assertEquals(ErrorKind.MODEL, e.kind());
      assertTrue(e.getMessage().contains("'m:v1' adds 2 special tokens"), e.getMessage());
    }
  }

  @Test
  void bytesThatAreNoTokenizerAreRefusedAsAModelError() {
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                TextTokenizer.load(
                    "{\"model\":{}}".getBytes(StandardCharsets.UTF_8),
                    8,
                    TextTokenizer.Truncation.RIGHT,
                    "m:v1"));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(
        e.getMessage().startsWith("the tokenizer of model 'm:v1' cannot be loaded"),
        e.getMessage());
  }

  @Test
  void nullTextIsRefusedNotTokenized() {
    try (TextTokenizer t = load(8, TextTokenizer.Truncation.RIGHT)) {
      List<String> texts = new ArrayList<>(Arrays.asList("the cat", null));
      assertThrows(NullPointerException.class, () -> t.encode(texts));
    }
  }

  @Test
  void concurrentEncodesGiveTheSequentialResult() throws Exception {
    List<String> texts = new ArrayList<>();
    String[] words = {"the", "cat", "sat", "on", "a", "mat", "playing", "dog", "played", "."};
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = r.nextInt(12); w >= 0; w--) {
        sb.append(words[r.nextInt(words.length)]).append(' ');
      }
      texts.add(sb.toString());
    }
    try (TextTokenizer t = load(8, TextTokenizer.Truncation.LEFT)) {
      long[][] expected = t.encode(texts).inputIds();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<long[][]>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          results.add(pool.submit(() -> t.encode(texts).inputIds()));
        }
        for (Future<long[][]> f : results) {
          assertTrue(Arrays.deepEquals(expected, f.get()));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void truncationSidesParseAsWritten() {
    assertEquals(TextTokenizer.Truncation.RIGHT, TextTokenizer.Truncation.parse("right"));
    assertEquals(TextTokenizer.Truncation.LEFT, TextTokenizer.Truncation.parse("left"));
    assertEquals(null, TextTokenizer.Truncation.parse("Left"));
    assertEquals(null, TextTokenizer.Truncation.parse(null));
  }
}
