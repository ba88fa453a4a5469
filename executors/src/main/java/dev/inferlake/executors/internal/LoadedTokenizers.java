package dev.inferlake.executors.internal;

import dev.inferlake.executors.TextFeed;
import dev.inferlake.executors.TextTokenizer;
import dev.inferlake.model.ModelDigest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizers this executor JVM has loaded, one per (tokenizer digest, max length, truncation):
 * a text model's tasks share one native tokenizer, as they share one session. The bytes are fetched
 * once and checked against the manifest's digest before the library sees them.
 *
 * <p>This cache owns every tokenizer it holds for the life of the JVM (they are small and
 * immutable, as the one {@code OrtEnvironment} is); callers must not close them. Thread-safe.
 */
final class LoadedTokenizers {
  private static final ConcurrentHashMap<String, TextTokenizer> LOADED = new ConcurrentHashMap<>();

  private LoadedTokenizers() {}

  /**
   * The tokenizer of {@code feed}, loading it on first use.
   *
   * @param model the model, {@code name:version}, for messages
   * @throws dev.inferlake.model.InferlakeException MODEL when the bytes do not match the manifest's
   *     digest, cannot be fetched, or do not load
   */
  static TextTokenizer of(TextFeed feed, String model) {
    String key =
        feed.tokenizer().sha256()
            + "|"
            + feed.tokenizer().maxLength()
            + "|"
            + feed.truncation().lowerName();
    return LOADED.computeIfAbsent(key, k -> load(feed, model));
  }

  private static TextTokenizer load(TextFeed feed, String model) {
    if (feed.json() == null) {
      throw new IllegalStateException("model '" + model + "' was bound without tokenizer bytes");
    }
    byte[] json = feed.json().bytes();
    String actual = ModelDigest.sha256(json);
    if (!actual.equals(feed.tokenizer().sha256())) {
      throw ScoringErrors.tokenizerDigestMismatch(model, feed.tokenizer().sha256(), actual);
    }
    return TextTokenizer.load(json, feed.tokenizer().maxLength(), feed.truncation(), model);
  }
}
