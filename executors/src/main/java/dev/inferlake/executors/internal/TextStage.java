package dev.inferlake.executors.internal;

import dev.inferlake.executors.TextFeed;
import dev.inferlake.executors.TextTokenizer;

/**
 * The texts of one batch, read from one string column for one tokenizer, tokenized once per batch
 * for every input they feed ({@code input_ids}, {@code attention_mask}, {@code token_type_ids}).
 * The tokenizer is loaded on the first batch, so a pass that only checks rows loads nothing.
 *
 * <p>Length bucketing sorts rows by their token counts before they are batched ({@link #length});
 * the rows tokenized for that are kept, by row identity, until their batch is assembled, so no text
 * is tokenized twice.
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
  private final int column;

  /** Per slot: the row its text came from, and its tokens when they were made ahead. */
  private final org.apache.spark.sql.catalyst.InternalRow[] rowAt;

  private final TextTokenizer.Row[] ahead;

  /** Rows tokenized by {@link #length} and not yet put into a batch. */
  private final java.util.IdentityHashMap<
          org.apache.spark.sql.catalyst.InternalRow, TextTokenizer.Row>
      pending = new java.util.IdentityHashMap<>();

  private TextTokenizer tokenizer;
  private TextTokenizer.Batch batch;

  /** Texts this stage has tokenized, ahead or in batches: each put text once. */
  private long tokenized;

  /** Texts put since the last tokenization: the batch must be tokenized again. */
  private boolean stale = true;

  TextStage(TextFeed feed, String model, int batchSize, int column) {
    this.feed = feed;
    this.column = column;
    this.model = model;
    this.texts = new String[batchSize];
    this.rowAt = new org.apache.spark.sql.catalyst.InternalRow[batchSize];
    this.ahead = new TextTokenizer.Row[batchSize];
  }

  /**
   * The token count of {@code row}'s text, tokenized now and kept for its batch; -1 for a null
   * text. The row must be the very object later {@link #put} (rows are matched by identity), and
   * must not be a scan's reused buffer.
   */
  int length(org.apache.spark.sql.catalyst.InternalRow row) {
    if (row.isNullAt(column)) {
      return -1;
    }
    TextTokenizer.Row tokens = tokenizer().encodeOne(row.getUTF8String(column).toString());
    tokenized++;
    pending.put(row, tokens);
    return tokens.ids().length;
  }

  /**
   * Keeps {@code text}, read from {@code row}, as example {@code slot}; a null (bad) row is kept as
   * the empty text. Every input of the stage puts the same row into the same slot.
   */
  void put(int slot, org.apache.spark.sql.catalyst.InternalRow row, String text) {
    TextTokenizer.Row made = pending.remove(row);
    if (made != null || rowAt[slot] != row) {
      ahead[slot] = text == null ? null : made;
    }
    rowAt[slot] = row;
    texts[slot] = text == null ? "" : text;
    stale = true;
  }

  private TextTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = LoadedTokenizers.of(feed, model);
    }
    return tokenizer;
  }

  /** The first {@code rows} texts, tokenized and unpadded; tokenized again only after a put. */
  TextTokenizer.Batch batch(int rows) {
    if (stale || batch == null || batch.size() != rows) {
      TextTokenizer.Row[] made = new TextTokenizer.Row[rows];
      for (int i = 0; i < rows; i++) {
        if (ahead[i] != null) {
          made[i] = ahead[i];
        } else {
          made[i] = tokenizer().encodeOne(texts[i]);
          tokenized++;
        }
        ahead[i] = null;
        rowAt[i] = null;
      }
      batch = TextTokenizer.batchOf(made);
      stale = false;
    }
    return batch;
  }

  /** How many texts this stage has tokenized (each text of a batch once, however it got there). */
  long tokenized() {
    return tokenized;
  }

  /** The last tokenized batch; null before the first. */
  TextTokenizer.Batch last() {
    return batch;
  }
}
