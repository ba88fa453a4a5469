package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.executors.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Encodes input rows into the batch tensors of every model input, each through the {@link
 * InputEncoder} for its element type, and tells, per model, whether the row fits it. Models fed
 * from the same columns into the same input share one encoder and tensor.
 *
 * <p>Not thread-safe: one per task.
 */
final class RowEncoder {
  private final KeyColumn[] keys;
  private final InputEncoder[] encoders;

  /** Per model: indexes into {@link #encoders}. */
  private final int[][] modelEncoders;

  /** Per model: its input name to the shared encoded tensor. */
  private final List<Map<String, Tensor>> modelInputs = new ArrayList<>();

  /** The last row's result per encoder; null where it fit. */
  private final Invalid[] lastInvalid;

  private Invalid lastKeyInvalid;

  /** Per model: the text stage of its text inputs; null for a model that reads no text. */
  private final List<TextStage> modelStages = new ArrayList<>();

  /** The text stages of the text inputs, one per (column, tokenizer). */
  private final List<TextStage> stages;

  RowEncoder(ScoringSpec spec, int batchSize) {
    this(spec, batchSize, null);
  }

  /**
   * @param ahead where image inputs take their decoded pictures; null to decode them in {@link
   *     #encode}
   */
  RowEncoder(ScoringSpec spec, int batchSize, ImageAhead ahead) {
    this.keys = spec.keys().toArray(new KeyColumn[0]);
    Map<InputBinding, Integer> index = new LinkedHashMap<>();
    List<InputEncoder> list = new ArrayList<>();
    Map<TextStage.Key, TextStage> stages = new HashMap<>();
    List<ScoredModel> models = spec.models();
    this.modelEncoders = new int[models.size()][];
    for (int m = 0; m < models.size(); m++) {
      ScoredModel model = models.get(m);
      List<InputBinding> inputs = model.inputs();
      modelEncoders[m] = new int[inputs.size()];
      Map<String, Tensor> tensors = new HashMap<>();
      for (int i = 0; i < inputs.size(); i++) {
        InputBinding b = inputs.get(i);
        int e =
            index.computeIfAbsent(
                b,
                x -> {
                  list.add(InputEncoder.of(x, model.label(), batchSize, stages, ahead));
                  return list.size() - 1;
                });
        modelEncoders[m][i] = e;
        tensors.put(b.modelInput(), list.get(e).tensor());
        if (list.get(e) instanceof TextEncoder t && modelStages.size() == m) {
          modelStages.add(t.stage());
        }
      }
      modelInputs.add(Map.copyOf(tensors));
      if (modelStages.size() == m) {
        modelStages.add(null); // reads no text
      }
    }
    this.encoders = list.toArray(new InputEncoder[0]);
    this.stages = List.copyOf(stages.values());
    this.lastInvalid = new Invalid[encoders.length];
  }

  /**
   * Writes {@code row} into batch slot {@code slot} of every input.
   *
   * @return true when the row fits every model; otherwise ask {@link #invalidFor}
   */
  boolean encode(InternalRow row, int slot) {
    boolean fits = true;
    lastKeyInvalid = null;
    for (KeyColumn k : keys) {
      if (row.isNullAt(k.ordinal())) {
        lastKeyInvalid = new Invalid(Invalid.Reason.NULL_KEY, k.name(), "null");
        fits = false;
        break;
      }
    }
    for (int e = 0; e < encoders.length; e++) {
      Invalid why = encoders[e].encode(row, slot);
      lastInvalid[e] = why;
      fits &= why == null;
    }
    return fits;
  }

  /** Why the last encoded row does not fit model {@code m}; null when it does. */
  Invalid invalidFor(int m) {
    if (lastKeyInvalid != null) {
      return lastKeyInvalid;
    }
    for (int e : modelEncoders[m]) {
      if (lastInvalid[e] != null) {
        return lastInvalid[e];
      }
    }
    return null;
  }

  /**
   * The run-failing error for the last encoded row and model {@code m} (which must not fit it),
   * naming the row by its key.
   */
  dev.inferlake.model.InferlakeException errorFor(int m, InternalRow row) {
    Invalid why = invalidFor(m);
    InputEncoder enc = encoders[modelEncoders[m][0]];
    for (int e : modelEncoders[m]) {
      if (lastInvalid[e] != null) {
        enc = encoders[e];
        break;
      }
    }
    return ScoringErrors.invalidRow(why, enc.model(), enc.spec(), describeKey(row));
  }

  /**
   * The token count of a row's text, for length bucketing: by the first text input of the first
   * model that reads text, whose stage keeps the tokens for the row's batch (-1 for a null text);
   * null when no model reads text.
   */
  java.util.function.ToIntFunction<InternalRow> textLength() {
    for (TextStage s : modelStages) {
      if (s != null) {
        return s::length;
      }
    }
    return null;
  }

  /** Moves the first {@code rows} encoded examples of every input into the runners' tensors. */
  void flush(int rows) {
    for (InputEncoder e : encoders) {
      e.flush(rows);
    }
  }

  /**
   * What the last flushed batch's text came to, over every text stage: rows truncated, token
   * positions of the padded tensors, and how many of them are padding. All zero without text.
   */
  TextCounts textCounts() {
    long truncated = 0;
    long positions = 0;
    long padding = 0;
    for (TextStage s : stages) {
      dev.inferlake.executors.TextTokenizer.Batch b = s.last();
      if (b != null) {
        truncated += b.truncatedRows();
        long all = (long) b.size() * b.longest();
        positions += all;
        padding += all - b.tokens();
      }
    }
    return new TextCounts(truncated, positions, padding);
  }

  /**
   * Per row of the last flushed batch, the unpadded token count of model {@code m}'s text; null
   * when it reads no text.
   */
  int[] tokensOf(int m) {
    TextStage s = modelStages.get(m);
    if (s == null || s.last() == null) {
      return null;
    }
    long[][] ids = s.last().inputIds();
    int[] n = new int[ids.length];
    for (int r = 0; r < n.length; r++) {
      n[r] = ids[r].length;
    }
    return n;
  }

  /** Text figures of one batch. */
  record TextCounts(long truncatedRows, long positions, long padding) {}

  /** Model {@code m}'s inputs: name to the tensor holding the batch. */
  Map<String, Tensor> inputsOf(int m) {
    return modelInputs.get(m);
  }

  /** The row's key columns as {@code name=value, ...}, for messages. */
  String describeKey(InternalRow row) {
    if (keys.length == 0) {
      return "(no key columns)";
    }
    StringJoiner j = new StringJoiner(", ");
    for (KeyColumn k : keys) {
      j.add(k.name() + "=" + (row.isNullAt(k.ordinal()) ? "null" : row.get(k.ordinal(), k.type())));
    }
    return j.toString();
  }
}
