package dev.inferlake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a HuggingFace {@code tokenizer.json} declares, read as JSON without loading the tokenizer:
 * its model type, vocabulary size and special tokens. Loading it for real is the executors' ({@code
 * TextTokenizer}).
 *
 * @param kind the model type, lowercased ({@code wordpiece}, {@code bpe}, {@code unigram}, {@code
 *     wordlevel})
 * @param vocabSize tokens in the vocabulary, added tokens not in it included
 * @param specialTokens added tokens marked special, in id order
 */
public record TokenizerFile(String kind, long vocabSize, List<String> specialTokens) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads a {@code tokenizer.json}.
   *
   * @param what names the file in messages
   * @throws InferlakeException MODEL when the bytes are not JSON or have no tokenizer model with a
   *     vocabulary
   */
  public static TokenizerFile describe(byte[] json, String what) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw ModelErrors.notATokenizer(
          what, "it is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    JsonNode model = root == null ? null : root.get("model");
    if (model == null || !model.isObject()) {
      throw ModelErrors.notATokenizer(what, "it has no \"model\" object", null);
    }
    JsonNode vocab = model.get("vocab");
    if (vocab == null || !(vocab.isObject() || vocab.isArray()) || vocab.size() == 0) {
      throw ModelErrors.notATokenizer(what, "its model has no vocabulary", null);
    }
    String type = model.path("type").asText("");
    if (type.isEmpty()) {
      type = vocab.isArray() ? "Unigram" : "unknown";
    }
    // Ids of the vocabulary, then of added tokens (which may or may not be in it).
    java.util.Set<Long> ids = new java.util.HashSet<>();
    if (vocab.isObject()) {
      vocab.fields().forEachRemaining(e -> ids.add(e.getValue().asLong()));
    } else {
      for (long i = 0; i < vocab.size(); i++) {
        ids.add(i);
      }
    }
    Map<Long, String> special = new TreeMap<>();
    for (JsonNode t : root.path("added_tokens")) {
      ids.add(t.path("id").asLong());
      if (t.path("special").asBoolean(false)) {
        special.put(t.path("id").asLong(), t.path("content").asText());
      }
    }
    return new TokenizerFile(
        type.toLowerCase(Locale.ROOT), ids.size(), List.copyOf(new ArrayList<>(special.values())));
  }
}
