package dev.inferlake.executors.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Small HuggingFace {@code tokenizer.json} files for tests, written here rather than downloaded: a
 * lowercasing BERT-style WordPiece tokenizer with {@code [PAD]}, {@code [UNK]}, {@code [CLS]} and
 * {@code [SEP]}, whose ids a test can work out by hand from {@link #VOCAB}.
 */
public final class WordPieceTokenizers {
  private WordPieceTokenizers() {}

  /** The vocabulary; a token's id is its position. */
  public static final List<String> VOCAB =
      List.of(
          "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "on", "mat", "play", "##ing",
          "##ed", "a", ".", "dog");

  public static final long PAD = 0;
  public static final long UNK = 1;
  public static final long CLS = 2;
  public static final long SEP = 3;

  /** The id of a vocabulary token. */
  public static long id(String token) {
    int i = VOCAB.indexOf(token);
    if (i < 0) {
      throw new IllegalArgumentException(token + " is not in the test vocabulary");
    }
    return i;
  }

  /** The tokenizer.json of {@link #VOCAB}: BERT normalizer (lowercase), [CLS] text [SEP]. */
  public static byte[] bertLike() {
    return bertLike(VOCAB);
  }

  /**
   * A tokenizer.json like {@link #bertLike()} over another vocabulary, whose first four tokens must
   * be {@code [PAD] [UNK] [CLS] [SEP]}; tokens must need no JSON escaping but for {@code "} and
   * {@code \\}.
   */
  public static byte[] bertLike(List<String> tokens) {
    if (!tokens.subList(0, 4).equals(VOCAB.subList(0, 4))) {
      throw new IllegalArgumentException("the vocabulary must start with " + VOCAB.subList(0, 4));
    }
    StringBuilder vocab = new StringBuilder();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i).replace("\\", "\\\\").replace("\"", "\\\"");
      vocab.append(i == 0 ? "" : ",").append('"').append(t).append("\":").append(i);
    }
    StringBuilder added = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      added
          .append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(i)
          .append(",\"content\":\"")
          .append(VOCAB.get(i))
          .append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,")
          .append("\"normalized\":false,\"special\":true}");
    }
    String json =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
            + "\"added_tokens\":["
            + added
            + "],"
            + "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,"
            + "\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true},"
            + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
            + "\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],"
            + "\"cls\":[\"[CLS]\",2]},"
            + "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},"
            + "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
            + "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,"
            + "\"vocab\":{"
            + vocab
            + "}}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
