package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Encodes input rows into the batch buffers of every model input, and tells, per model, whether the
 * row fits it. Models fed from the same columns share one encoder and buffer.
 *
 * <p>Not thread-safe: one per task.
 */
final class RowEncoder {
  private final KeyColumn[] keys;
  private final FeatureEncoder[] encoders;

  /** Per model: indexes into {@link #encoders}. */
  private final int[][] modelEncoders;

  /** Per model: its input name to the shared encoded buffer. */
  private final List<Map<String, FloatBuffer>> modelInputs = new ArrayList<>();

  /** The last row's result per encoder; null where it fit. */
  private final Invalid[] lastInvalid;

  private Invalid lastKeyInvalid;

  RowEncoder(ScoringSpec spec, int batchSize) {
    this.keys = spec.keys().toArray(new KeyColumn[0]);
    Map<InputBinding, Integer> index = new LinkedHashMap<>();
    List<FeatureEncoder> list = new ArrayList<>();
    List<ScoredModel> models = spec.models();
    this.modelEncoders = new int[models.size()][];
    for (int m = 0; m < models.size(); m++) {
      ScoredModel model = models.get(m);
      List<InputBinding> inputs = model.inputs();
      modelEncoders[m] = new int[inputs.size()];
      Map<String, FloatBuffer> buffers = new HashMap<>();
      for (int i = 0; i < inputs.size(); i++) {
        InputBinding b = inputs.get(i);
        int e =
            index.computeIfAbsent(
                b,
                x -> {
                  list.add(new FeatureEncoder(x, model.label(), batchSize));
                  return list.size() - 1;
                });
        modelEncoders[m][i] = e;
        buffers.put(b.modelInput(), list.get(e).buffer());
      }
      modelInputs.add(buffers);
    }
    this.encoders = list.toArray(new FeatureEncoder[0]);
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
    FeatureEncoder enc = encoders[modelEncoders[m][0]];
    for (int e : modelEncoders[m]) {
      if (lastInvalid[e] != null) {
        enc = encoders[e];
        break;
      }
    }
    return ScoringErrors.invalidRow(why, enc.model(), enc.spec(), describeKey(row));
  }

  /** Moves the first {@code rows} encoded examples of every input into the runners' buffers. */
  void flush(int rows) {
    for (FeatureEncoder e : encoders) {
      e.flush(rows);
    }
  }

  /** Model {@code m}'s inputs: name to the buffer holding the batch. */
  Map<String, FloatBuffer> inputsOf(int m) {
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
