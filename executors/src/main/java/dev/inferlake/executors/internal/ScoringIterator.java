package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.StringJoiner;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Reads up to {@code batchSize} input rows, runs every model on the batch, then emits the batch's
 * prediction rows; repeats until the input is exhausted. Buffers are allocated once per task.
 * Models fed from the same columns share one encoded buffer.
 */
public final class ScoringIterator implements Iterator<InternalRow> {
  private final Iterator<InternalRow> input;
  private final ScoringSpec spec;
  private final List<ScoredModel> models;
  private final List<Runner> runners;
  private final int batchSize;
  private final KeyColumn[] keys;

  /** One encoder per distinct input binding. */
  private final Map<InputBinding, FeatureEncoder> encoders = new LinkedHashMap<>();

  /** Per model: its input name to the shared encoded buffer. */
  private final List<Map<String, FloatBuffer>> modelInputs;

  private final FloatBuffer[] outputs;
  private final Object[][] batchKeys;

  private final UTF8String[] names;
  private final UTF8String[] versions;
  private final UTF8String[] digests;
  private final UTF8String runId;

  private final Runnable onExhausted;
  private int filled;
  private int emitted;

  /**
   * @param onExhausted run once, when the input is exhausted
   */
  public ScoringIterator(
      ScoringSpec spec, List<Runner> runners, Iterator<InternalRow> input, Runnable onExhausted) {
    this.input = input;
    this.onExhausted = onExhausted;
    this.spec = spec;
    this.models = spec.models();
    this.runners = runners;
    this.batchSize = spec.batchSize();
    this.keys = spec.keys().toArray(new KeyColumn[0]);
    this.batchKeys = new Object[batchSize][keys.length];
    int m = models.size();
    this.outputs = new FloatBuffer[m];
    this.names = new UTF8String[m];
    this.versions = new UTF8String[m];
    this.digests = new UTF8String[m];
    this.modelInputs = new java.util.ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      ScoredModel model = models.get(i);
      Map<String, FloatBuffer> in = new HashMap<>();
      for (InputBinding b : model.inputs()) {
        FeatureEncoder enc =
            encoders.computeIfAbsent(b, x -> new FeatureEncoder(x, model.label(), batchSize));
        in.put(b.modelInput(), enc.buffer());
      }
      modelInputs.add(in);
      outputs[i] =
          ByteBuffer.allocateDirect(Math.multiplyExact(batchSize * 4, model.outputWidth()))
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      names[i] = UTF8String.fromString(model.name());
      versions[i] = UTF8String.fromString(model.version());
      digests[i] = UTF8String.fromString(model.digest());
    }
    this.runId = UTF8String.fromString(spec.runId());
  }

  @Override
  public boolean hasNext() {
    if (emitted < filled * models.size()) {
      return true;
    }
    return fillAndScore();
  }

  private boolean fillAndScore() {
    filled = 0;
    emitted = 0;
    while (filled < batchSize && input.hasNext()) {
      InternalRow row = input.next();
      for (FeatureEncoder enc : encoders.values()) {
        enc.encode(row, filled, this::describeKey);
      }
      Object[] k = batchKeys[filled];
      for (int j = 0; j < keys.length; j++) {
        k[j] = copyOf(row.get(keys[j].ordinal(), keys[j].type()));
      }
      filled++;
    }
    if (filled == 0) {
      onExhausted.run();
      return false;
    }
    for (int i = 0; i < models.size(); i++) {
      ScoredModel model = models.get(i);
      runners.get(i).run(modelInputs.get(i), filled, model.outputName(), outputs[i]);
    }
    return true;
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int m = emitted / filled;
    int r = emitted % filled;
    emitted++;
    ScoredModel model = models.get(m);
    FloatBuffer out = outputs[m];
    int width = model.outputWidth();
    int base = r * width;
    Object[] values = new Object[keys.length + 8];
    System.arraycopy(batchKeys[r], 0, values, 0, keys.length);
    int c = keys.length;
    if (model.isClassifier()) {
      float[] probs = new float[width];
      out.get(base, probs);
      int best = 0;
      for (int j = 1; j < width; j++) {
        if (probs[j] > probs[best]) {
          best = j;
        }
      }
      values[c++] = (double) best;
      values[c++] = UnsafeArrayData.fromPrimitiveArray(probs);
    } else {
      values[c++] = (double) out.get(base);
      values[c++] = null;
    }
    values[c++] = names[m];
    values[c++] = versions[m];
    values[c++] = digests[m];
    values[c++] = runId;
    values[c++] = spec.dsEpochDay();
    values[c] = spec.scoredAtMicros();
    return new GenericInternalRow(values);
  }

  /** Rows from a scan are reused buffers: keep our own copy of any value that points into one. */
  private static Object copyOf(Object v) {
    if (v instanceof UTF8String s) {
      return s.clone();
    } else if (v instanceof InternalRow r) {
      return r.copy();
    } else if (v instanceof ArrayData a) {
      return a.copy();
    } else if (v instanceof MapData md) {
      return md.copy();
    }
    return v;
  }

  private String describeKey(InternalRow row) {
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
