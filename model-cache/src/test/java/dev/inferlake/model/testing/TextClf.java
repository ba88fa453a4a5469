package dev.inferlake.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text model and its corpus, as {@code scripts/models/textclf.py} made them: a small
 * transformer encoder that labels Debian package descriptions (bookworm main) with their archive
 * section, with its WordPiece tokenizer ({@code textclf-tokenizer.json}, HuggingFace format) and
 * PyTorch's reference outputs on the 632 held-out rows, tokenization included. Inputs {@code
 * input_ids} and {@code attention_mask}, int64[N,S]; outputs {@code logits} float[N,8], {@code
 * token_states} float[N,S,64] and {@code pooled} float[N,64]. Tests read the committed files;
 * nothing is trained here.
 */
public final class TextClf {
  /** The classes, in logit order. */
  public static final List<String> CLASSES =
      List.of("fonts", "games", "graphics", "mail", "math", "science", "sound", "web");

  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String LOGITS = "logits";
  public static final String TOKEN_STATES = "token_states";
  public static final String POOLED = "pooled";

  /** The width of a token state and of the embedding. */
  public static final int DIM = 64;

  /** Tokens per text at most, [CLS] and [SEP] included; longer texts are cut on the right. */
  public static final int MAX_LENGTH = 64;

  public static final int VOCAB = 1500;
  public static final long PAD = 0;
  public static final long UNK = 1;
  public static final long CLS = 2;
  public static final long SEP = 3;

  /**
   * The corpus's rows of one split, in file order.
   *
   * @param ids row ids
   * @param packages the Debian package each description belongs to
   * @param texts the descriptions
   * @param labels class indexes (into {@link #CLASSES})
   */
  public record Rows(long[] ids, String[] packages, String[] texts, int[] labels) {
    public int size() {
      return ids.length;
    }
  }

  /**
   * PyTorch's outputs for one held-out row, run alone without padding.
   *
   * @param tokenIds the Python tokenizer's ids, [CLS] first and [SEP] last
   * @param predicted the class of the largest logit
   * @param logits the class scores
   * @param embedding the masked mean of the token states
   * @param normalized {@code embedding} over its L2 norm
   */
  public record Reference(
      long id,
      int label,
      int predicted,
      long[] tokenIds,
      float[] logits,
      float[] embedding,
      float[] normalized) {}

  private TextClf() {}

  public static Path folder() {
    return Digits.folder();
  }

  public static byte[] onnx() {
    return read("textclf.onnx");
  }

  public static byte[] torchScript() {
    return read("textclf.pt");
  }

  /** The tokenizer, HuggingFace's {@code tokenizer.json} format. */
  public static Path tokenizerFile() {
    return folder().resolve("textclf-tokenizer.json");
  }

  /** The rows of a split: {@code train} (2,528 rows) or {@code test} (632 held-out rows). */
  public static Rows rows(String split) {
    List<List<String>> kept = new ArrayList<>();
    for (List<String> f : csv("textclf.csv")) {
      if (f.get(4).equals(split)) {
        kept.add(f);
      }
    }
    int n = kept.size();
    long[] ids = new long[n];
    String[] packages = new String[n];
    String[] texts = new String[n];
    int[] labels = new int[n];
    for (int r = 0; r < n; r++) {
      List<String> f = kept.get(r);
      ids[r] = Long.parseLong(f.get(0));
      packages[r] = f.get(1);
      texts[r] = f.get(2);
      labels[r] = CLASSES.indexOf(f.get(3));
      if (labels[r] < 0) {
        throw new IllegalStateException("textclf.csv row " + ids[r] + ": unknown label");
      }
    }
    return new Rows(ids, packages, texts, labels);
  }

  /**
   * A text beyond the corpus and the ids the Python tokenizer gives it.
   *
   * @param text the text (accents, other scripts, control characters, empty, over 64 tokens, ...)
   * @param tokenIds [CLS] first and [SEP] last
   */
  public record Tokenized(String text, long[] tokenIds) {}

  /**
   * The Python tokenizer's ids for every row of the corpus (both splits), by row id: [CLS] first,
   * [SEP] last, cut at {@link #MAX_LENGTH}.
   */
  public static Map<Long, long[]> tokenIds() {
    Map<Long, long[]> out = new LinkedHashMap<>();
    for (List<String> f : csv("textclf-tokens.csv")) {
      out.put(Long.parseLong(f.get(0)), ids(f.get(1)));
    }
    return out;
  }

  /**
   * Texts beyond the corpus (the script's {@code EDGE_TEXTS}) with the Python tokenizer's ids:
   * accents, CJK and Greek, tabs and newlines, empty and blank text, texts over 64 tokens, a word
   * over 100 characters, punctuation runs, special tokens written in the text.
   */
  public static List<Tokenized> edgeCases() {
    List<Tokenized> out = new ArrayList<>();
    for (List<String> f : csv("textclf-tokens-edge.csv")) {
      out.add(new Tokenized(f.get(0), ids(f.get(1))));
    }
    return out;
  }

  private static long[] ids(String field) {
    String[] tokens = field.split(" ");
    long[] ids = new long[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      ids[i] = Long.parseLong(tokens[i]);
    }
    return ids;
  }

  /** PyTorch's outputs on the held-out rows, by row id, in file order. */
  public static Map<Long, Reference> reference() {
    Map<Long, Reference> out = new LinkedHashMap<>();
    int classes = CLASSES.size();
    for (List<String> f : csv("textclf-reference.csv")) {
      long id = Long.parseLong(f.get(0));
      long[] tokenIds = ids(f.get(3));
      float[] logits = floats(f, 4, classes);
      float[] embedding = floats(f, 4 + classes, DIM);
      float[] normalized = floats(f, 4 + classes + DIM, DIM);
      out.put(
          id,
          new Reference(
              id,
              Integer.parseInt(f.get(1)),
              Integer.parseInt(f.get(2)),
              tokenIds,
              logits,
              embedding,
              normalized));
    }
    return out;
  }

  private static float[] floats(List<String> f, int from, int n) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = Float.parseFloat(f.get(from + k));
    }
    return v;
  }

  /** The records of a CSV file (RFC 4180 quoting, as Python's csv module writes), no header. */
  static List<List<String>> csv(String name) {
    String text;
    try {
      text = Files.readString(folder().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        record.add(field.toString());
        field.setLength(0);
        records.add(record);
        record = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    if (field.length() > 0 || !record.isEmpty()) {
      record.add(field.toString());
      records.add(record);
    }
    return records.subList(1, records.size());
  }

  private static byte[] read(String name) {
    try {
      return Files.readAllBytes(folder().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
