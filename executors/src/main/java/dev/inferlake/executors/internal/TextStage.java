package dev.inferlake.executors.internal;

import dev.inferlake.executors.TextFeed;
import dev.inferlake.executors.TextTokenizer;

/**
 * The texts of one batch, read from one string column for one tokenizer, tokenized once per batch
 * for every input they feed ({@code input_ids}, {@code attention_mask}, {@code token_type_ids}).
 * The tokenizer is loaded on the first batch, so a pass that only checks rows loads nothing.
 *
 * <p>Not thread-safe: one per task.
 */
final class TextStage {
  /** What makes two text inputs share a stage: the column and the tokenizer with its settings. */
  record Key(int column, String sha256, int maxLength, String truncation) {
    static Key of(dev.inferlake.executors.InputBinding b) {
      return new Key(
          b.columns().get(0).ordinal(),
          b.text().tokenizer().sha256(),
          b.text().tokenizer().maxLength(),
          b.text().truncation().lowerName());
    }
  }

  private final TextFeed feed;
  private final String model;
  private final String[] texts;
  private TextTokenizer tokenizer;
  private TextTokenizer.Batch batch;

  /** Texts put since the last tokenization: the batch must be tokenized again. */
  private boolean stale = true;

  TextStage(TextFeed feed, String model, int batchSize) {
    this.feed = feed;
    this.model = model;
    this.texts = new String[batchSize];
  }

  /** Keeps {@code text} as example {@code slot}; a null (bad) row is kept as the empty text. */
  void put(int slot, String text) {
    texts[slot] = text == null ? "" : text;
    stale = true;
  }

  /** The first {@code rows} texts, tokenized and unpadded; tokenized again only after a put. */
  TextTokenizer.Batch batch(int rows) {
    if (stale || batch == null || batch.size() != rows) {
      if (tokenizer == null) {
        tokenizer = LoadedTokenizers.of(feed, model);
      }
      batch = tokenizer.encode(java.util.Arrays.asList(texts).subList(0, rows));
      stale = false;
    }
    return batch;
  }

  /** The last tokenized batch; null before the first. */
  TextTokenizer.Batch last() {
    return batch;
  }
}
