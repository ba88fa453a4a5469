package dev.inferlake.executors;

import dev.inferlake.model.ModelManifest;
import java.io.Serializable;
import java.util.Objects;

/**
 * How a string column feeds one int64 input of a text model: which tokenizer output the input
 * receives, the tokenizer's settings and digest from the signed manifest, and where an executor
 * gets the {@code tokenizer.json} bytes (a broadcast, or the registry folder). Executors check the
 * bytes against {@link ModelManifest.Tokenizer#sha256()} before loading them.
 *
 * @param role {@code input_ids}, {@code attention_mask} or {@code token_type_ids}
 * @param tokenizer the manifest's tokenizer entry
 * @param json where the {@code tokenizer.json} bytes come from; null in a plan, which runs nothing
 */
public record TextFeed(String role, ModelManifest.Tokenizer tokenizer, ModelSource json)
    implements Serializable {
  public TextFeed {
    Objects.requireNonNull(tokenizer, "tokenizer");
    if (!ModelManifest.Tokenizer.ROLES.contains(role)) {
      throw new IllegalArgumentException(
          "a tokenizer produces " + ModelManifest.Tokenizer.ROLES + ", not " + role);
    }
    if (TextTokenizer.Truncation.parse(tokenizer.truncation()) == null) {
      throw new IllegalArgumentException(
          "tokenizer truncation must be right or left, not " + tokenizer.truncation());
    }
  }

  /** Which end of an over-long text loses tokens. */
  public TextTokenizer.Truncation truncation() {
    return TextTokenizer.Truncation.parse(tokenizer.truncation());
  }
}
