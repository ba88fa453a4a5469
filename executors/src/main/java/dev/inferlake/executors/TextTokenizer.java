package dev.inferlake.executors;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.inferlake.executors.internal.ScoringErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A HuggingFace {@code tokenizer.json}, loaded from a package's bytes, that turns a batch of texts
 * into token ids, attention masks and token type ids, one unpadded row per text, truncated to a
 * maximum length. A later encoder pads every row to the batch's {@link Batch#longest()} row, not to
 * the maximum length.
 *
 * <p>Backed by DJL's binding of the Rust {@code tokenizers} library; its native library ships
 * inside the DJL jar and is extracted once per machine into DJL's cache folder ({@code
 * ~/.djl.ai/tokenizers}, or {@code $DJL_CACHE_DIR/tokenizers}); nothing is downloaded. The
 * tokenizer is read from memory: no file is written for it.
 *
 * <p>Each text is encoded through DJL's JNI binding directly ({@code TokenizersLibrary}: encode,
 * then only the token ids, type ids and, for an over-long text, the special-token mask), not
 * through {@code HuggingFaceTokenizer.encode}, which also copies out every token string, word id,
 * character span and overflow of every text: measured on the text corpus, that made tokenizing
 * about twice as slow (README, "Text models", performance). The binding is DJL's public class,
 * pinned by the DJL version in the parent POM.
 *
 * <p>Truncation keeps the special tokens the tokenizer adds (such as {@code [CLS]} and {@code
 * [SEP]}) and drops ordinary tokens from the end ({@link Truncation#RIGHT}) or the start ({@link
 * Truncation#LEFT}) until the row fits.
 *
 * <p>Thread safety: {@link #encode} may be called from several threads at once (the native
 * tokenizer is immutable once loaded and encodes through a shared reference); {@link #close} must
 * not run concurrently with an {@code encode}. The caller owns the instance and closes it, which
 * frees the native tokenizer.
 */
public final class TextTokenizer implements AutoCloseable {
  /** Which end of an over-long text loses tokens. */
  public enum Truncation {
    RIGHT,
    LEFT;

    /** {@code right} or {@code left}; null for anything else. */
    public static Truncation parse(String s) {
      return switch (s == null ? "" : s) {
        case "right" -> RIGHT;
        case "left" -> LEFT;
        default -> null;
      };
    }

    /** As written in manifests and options. */
    public String lowerName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One batch, unpadded: row {@code i} of each array belongs to text {@code i}.
   *
   * @param inputIds token ids per row
   * @param attentionMask 1 per token of each row (no padding here, so all ones)
   * @param tokenTypeIds token type ids per row (0 for a single text)
   * @param longest the longest row's length: what the batch pads to
   * @param truncatedRows how many texts were longer than the maximum length
   */
  public record Batch(
      long[][] inputIds,
      long[][] attentionMask,
      long[][] tokenTypeIds,
      int longest,
      int truncatedRows) {
    /** Number of rows. */
    public int size() {
      return inputIds.length;
    }

    /** Total tokens over every row (without padding). */
    public long tokens() {
      long n = 0;
      for (long[] r : inputIds) {
        n += r.length;
      }
      return n;
    }
  }

  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final Truncation truncation;
  private final String model;

  private TextTokenizer(
      HuggingFaceTokenizer tokenizer, int maxLength, Truncation truncation, String model) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.truncation = truncation;
    this.model = model;
  }

  /**
   * Loads a tokenizer from the bytes of its {@code tokenizer.json}. The file's own truncation and
   * padding settings are switched off: this class truncates, and padding is the encoder's.
   *
   * @param json the UTF-8 bytes of {@code tokenizer.json}
   * @param maxLength the longest row, special tokens included; at least the number of special
   *     tokens the tokenizer adds
   * @param truncation which end of an over-long text loses tokens
   * @param model the model it belongs to, {@code name:version}, for messages
   * @throws dev.inferlake.model.InferlakeException MODEL when the bytes are not a tokenizer the
   *     library can load
   * @throws IllegalArgumentException when {@code maxLength} is below 1
   */
  public static TextTokenizer load(
      byte[] json, int maxLength, Truncation truncation, String model) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(truncation, "truncation");
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1, not " + maxLength);
    }
    Map<String, String> options =
        Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
    try {
      return new TextTokenizer(
          HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options),
          maxLength,
          truncation,
          model);
    } catch (IOException | RuntimeException e) {
      throw ScoringErrors.tokenizerUnloadable(model, e);
    }
  }

  /** The longest row this tokenizer returns. */
  public int maxLength() {
    return maxLength;
  }

  /** Which end of an over-long text loses tokens. */
  public Truncation truncation() {
    return truncation;
  }

  /**
   * One text tokenized alone, unpadded and truncated: what {@link #encode} does per row, for a
   * caller that needs a row's tokens before its batch is known (length bucketing sorts by them).
   *
   * @param ids token ids
   * @param typeIds token type ids (0 for a single text)
   * @param truncated whether the text was longer than the maximum length
   */
  public record Row(long[] ids, long[] typeIds, boolean truncated) {}

  /**
   * Tokenizes one text.
   *
   * @param text the text, not null (a null text is a bad row, judged before this)
   * @throws dev.inferlake.model.InferlakeException MODEL when the tokenizer fails on the text, or
   *     adds more special tokens than the maximum length holds
   */
  public Row encodeOne(String text) {
    Objects.requireNonNull(text, "text");
    long handle = tokenizer.getHandle();
    long encoding;
    try {
      encoding = TokenizersLibrary.LIB.encode(handle, text, true);
    } catch (RuntimeException ex) {
      throw ScoringErrors.tokenizerFailed(model, ex);
    }
    try {
      long[] rowIds = TokenizersLibrary.LIB.getTokenIds(encoding);
      long[] rowTypes = TokenizersLibrary.LIB.getTypeIds(encoding);
      if (rowIds.length <= maxLength) {
        return new Row(rowIds, rowTypes, false);
      }
      long[] special = TokenizersLibrary.LIB.getSpecialTokenMask(encoding);
      int[] keep = kept(special, maxLength, truncation, model);
      return new Row(pick(rowIds, keep), pick(rowTypes, keep), true);
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  /**
   * Tokenizes a batch.
   *
   * @param texts the texts; none may be null (a null text is a bad row, judged before this)
   * @return one unpadded row per text
   * @throws NullPointerException when a text is null
   * @throws dev.inferlake.model.InferlakeException MODEL when the tokenizer fails on a text, or
   *     adds more special tokens than the maximum length holds
   */
  public Batch encode(List<String> texts) {
    Row[] rows = new Row[texts.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = encodeOne(Objects.requireNonNull(texts.get(i), "text of row " + i));
    }
    return batchOf(rows);
  }

  /** A batch of rows tokenized one by one ({@link #encodeOne}), in their order. */
  public static Batch batchOf(Row[] rows) {
    int n = rows.length;
    long[][] ids = new long[n][];
    long[][] mask = new long[n][];
    long[][] types = new long[n][];
    int longest = 0;
    int truncated = 0;
    for (int i = 0; i < n; i++) {
      Row r = rows[i];
      ids[i] = r.ids();
      types[i] = r.typeIds();
      mask[i] = ones(r.ids().length);
      longest = Math.max(longest, r.ids().length);
      truncated += r.truncated() ? 1 : 0;
    }
    return new Batch(ids, mask, types, longest, truncated);
  }

  /**
   * The positions kept when a row of {@code special.length} tokens is cut to {@code max}: every
   * special token, and the ordinary tokens nearest the side that is kept.
   */
  static int[] kept(long[] special, int max, Truncation side, String model) {
    int specials = 0;
    for (long s : special) {
      specials += s != 0 ? 1 : 0;
    }
    if (specials > max) {
      throw ScoringErrors.tokenizerMaxLengthTooSmall(model, max, specials);
    }
    int drop = special.length - max;
    boolean[] dropped = new boolean[special.length];
    switch (side) {
      case RIGHT -> {
        for (int i = special.length - 1; i >= 0 && drop > 0; i--) {
          if (special[i] == 0) {
            dropped[i] = true;
            drop--;
          }
        }
      }
      case LEFT -> {
        for (int i = 0; i < special.length && drop > 0; i++) {
          if (special[i] == 0) {
            dropped[i] = true;
            drop--;
          }
        }
      }
    }
    int[] keep = new int[max];
    int k = 0;
    for (int i = 0; i < special.length; i++) {
      if (!dropped[i]) {
        keep[k++] = i;
      }
    }
    return keep;
  }

  private static long[] pick(long[] row, int[] keep) {
    long[] out = new long[keep.length];
    for (int i = 0; i < keep.length; i++) {
      out[i] = row[keep[i]];
    }
    return out;
  }

  private static long[] ones(int n) {
    long[] out = new long[n];
    java.util.Arrays.fill(out, 1L);
    return out;
  }

  /** Frees the native tokenizer. */
  @Override
  public void close() {
    tokenizer.close();
  }
}
