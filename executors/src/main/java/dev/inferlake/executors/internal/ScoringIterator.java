package dev.inferlake.executors.internal;

import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.executors.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Reads up to {@code batchSize} input rows, encodes them into typed input tensors ({@link
 * RowEncoder}), runs every model on the batch, then emits the batch's prediction rows, decoded from
 * each model's output tensor ({@link PredictionDecoder}); repeats until the input is exhausted.
 * Tensors are allocated once per task. Models fed from the same columns share one input tensor.
 *
 * <p>Output rows are written without per-value objects: one mutable row is reused for every output
 * row (Spark's scan of the resulting RDD projects each row to an {@code UnsafeRow} before asking
 * for the next, as it does for rows it reads itself), and a model's probabilities are copied from
 * its output tensor into one reused array per model. A caller that keeps rows must {@code copy()}
 * them.
 *
 * <p>A row a model cannot take fails the task ({@link OnInvalid#FAIL}) or is left out of that
 * model's predictions (the validation pass reports it); other models still predict it.
 */
public final class ScoringIterator implements Iterator<InternalRow> {
  private final Iterator<InternalRow> input;
  private final ScoringSpec spec;
  private final List<ScoredModel> models;
  private final List<Runner> runners;
  private final int batchSize;
  private final KeyColumn[] keys;
  private final boolean failOnInvalid;
  private final RowEncoder encoder;

  private final PredictionDecoder[] decoders;

  /** Per model: the outputs its runner fills, by name. */
  private final List<Map<String, Tensor>> outputs;

  private final KeySlots batchKeys;
  private final SpecificInternalRow out;

  /** Per model and batch slot: whether the model cannot take the row. */
  private final boolean[][] rejected;

  private final int[] acceptedInBatch;

  private final UTF8String[] names;
  private final UTF8String[] versions;
  private final UTF8String[] digests;
  private final UTF8String runId;

  private final Runnable onExhausted;
  private final ScoringMetrics.BatchRecorder recorder;

  /** Where each prediction row goes with its label, or null (no evaluation while scoring). */
  private final dev.inferlake.executors.LabelTap.Partition tap;

  private final int labelOrdinal;
  private final org.apache.spark.sql.types.DataType labelType;

  /** Per batch slot: the input row's label, and whether it is null. */
  private final double[] labels;

  private final boolean[] labelNull;

  private boolean exhausted;
  private int filled;

  /** The next (model, slot) pair to emit. */
  private int cursorModel;

  private int cursorSlot;

  /**
   * @param batchSize rows per engine call (the spec's, or the one a probe chose for {@code auto})
   * @param recorder times every engine call; null to time none
   * @param onExhausted run once, when the input is exhausted
   */
  public ScoringIterator(
      ScoringSpec spec,
      List<Runner> runners,
      int batchSize,
      Iterator<InternalRow> input,
      ScoringMetrics.BatchRecorder recorder,
      Runnable onExhausted) {
    this(spec, runners, batchSize, input, recorder, onExhausted, null, null);
  }

  /**
   * @param tap shown every prediction row with its input row's label; null for none
   * @param partition the tap's counter for this partition; null when {@code tap} is
   */
  public ScoringIterator(
      ScoringSpec spec,
      List<Runner> runners,
      int batchSize,
      Iterator<InternalRow> input,
      ScoringMetrics.BatchRecorder recorder,
      Runnable onExhausted,
      dev.inferlake.executors.LabelTap tap,
      dev.inferlake.executors.LabelTap.Partition partition) {
    this.tap = partition;
    this.labelOrdinal = tap == null ? -1 : tap.labelOrdinal();
    this.labelType = tap == null ? null : tap.labelType();
    this.labels = tap == null ? null : new double[Math.max(1, batchSize)];
    this.labelNull = tap == null ? null : new boolean[Math.max(1, batchSize)];
    this.recorder = recorder;
    this.onExhausted = onExhausted;
    this.spec = spec;
    this.models = spec.models();
    this.runners = runners;
    this.batchSize = batchSize;
    this.keys = spec.keys().toArray(new KeyColumn[0]);
    this.failOnInvalid = spec.onInvalid() == OnInvalid.FAIL;
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    // Length bucketing reorders rows, and decoding ahead hands each row's pictures over in input
    // order: a job that reads text and pictures buckets, and decodes in the task thread.
    boolean bucket = spec.lengthBuckets() && readsText(spec);
    Iterator<InternalRow> rows = bucket ? input : ImageAhead.wrap(spec, input, batchSize);
    this.encoder = new RowEncoder(spec, batchSize, rows instanceof ImageAhead a ? a : null);
    this.input = bucket ? new LengthBuckets(input, encoder.textLength(), batchSize) : rows;
    this.batchKeys = new KeySlots(keys, batchSize);
    org.apache.spark.sql.types.StructType schema =
        dev.inferlake.executors.PredictionSchema.of(spec.keys(), spec.models());
    this.out = new SpecificInternalRow(schema);
    int m = models.size();
    this.rejected = new boolean[m][batchSize];
    this.acceptedInBatch = new int[m];
    this.decoders = new PredictionDecoder[m];
    this.names = new UTF8String[m];
    this.versions = new UTF8String[m];
    this.digests = new UTF8String[m];
    for (int i = 0; i < m; i++) {
      ScoredModel model = models.get(i);
      decoders[i] = new PredictionDecoder(model, batchSize, schema, keys.length);
      names[i] = UTF8String.fromString(model.name());
      versions[i] = UTF8String.fromString(model.version());
      digests[i] = UTF8String.fromString(model.digest());
    }
    this.outputs = Arrays.stream(decoders).map(PredictionDecoder::outputs).toList();
    this.runId = UTF8String.fromString(spec.runId());
  }

  private static boolean readsText(ScoringSpec spec) {
    for (ScoredModel m : spec.models()) {
      for (dev.inferlake.executors.InputBinding b : m.inputs()) {
        if (b.kind() == dev.inferlake.executors.InputBinding.Kind.TEXT) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public boolean hasNext() {
    while (true) {
      while (cursorModel < models.size()) {
        if (cursorSlot >= filled) {
          cursorModel++;
          cursorSlot = 0;
        } else if (rejected[cursorModel][cursorSlot]) {
          cursorSlot++;
        } else {
          return true;
        }
      }
      if (!fillAndScore()) {
        return false;
      }
    }
  }

  private boolean fillAndScore() {
    if (exhausted) {
      return false;
    }
    filled = 0;
    cursorModel = 0;
    cursorSlot = 0;
    Arrays.fill(acceptedInBatch, 0);
    while (filled < batchSize && input.hasNext()) {
      InternalRow row = input.next();
      boolean fits = encoder.encode(row, filled);
      for (int m = 0; m < models.size(); m++) {
        boolean reject = !fits && encoder.invalidFor(m) != null;
        if (reject && failOnInvalid) {
          throw encoder.errorFor(m, row);
        }
        rejected[m][filled] = reject;
        if (!reject) {
          acceptedInBatch[m]++;
        }
      }
      batchKeys.keep(row, filled);
      if (tap != null) {
        labelNull[filled] = row.isNullAt(labelOrdinal);
        labels[filled] = labelNull[filled] ? Double.NaN : label(row);
      }
      filled++;
    }
    if (filled == 0) {
      exhausted = true;
      if (tap != null) {
        tap.done();
      }
      onExhausted.run();
      return false;
    }
    encoder.flush(filled);
    if (recorder != null) {
      RowEncoder.TextCounts text = encoder.textCounts();
      recorder.recordText(text.truncatedRows(), text.positions(), text.padding());
    }
    for (int i = 0; i < models.size(); i++) {
      if (acceptedInBatch[i] > 0) {
        // Rejected slots are scored too (their values are meaningless) and their outputs dropped:
        // one engine call per batch, however many rows are invalid.
        long t0 = System.nanoTime();
        runners.get(i).run(encoder.inputsOf(i), filled, outputs.get(i));
        if (recorder != null) {
          recorder.record(i, System.nanoTime() - t0, filled);
        }
        decoders[i].scored(filled, encoder.tokensOf(i));
      }
    }
    return true;
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int m = cursorModel;
    int r = cursorSlot++;
    batchKeys.writeTo(out, r);
    int c = keys.length;
    decoders[m].writeTo(out, r);
    c += 2;
    out.update(c++, names[m]);
    out.update(c++, versions[m]);
    out.update(c++, digests[m]);
    out.update(c++, runId);
    out.setInt(c++, spec.dsEpochDay());
    out.setLong(c, spec.scoredAtMicros());
    if (tap != null && !labelNull[r]) {
      tap.row(m, labels[r], out, keys.length);
    }
    return out;
  }

  /** The input row's label as a double, as Spark casts a numeric column to double. */
  private double label(InternalRow row) {
    int o = labelOrdinal;
    if (labelType instanceof org.apache.spark.sql.types.DoubleType) {
      return row.getDouble(o);
    } else if (labelType instanceof org.apache.spark.sql.types.FloatType) {
      return row.getFloat(o);
    } else if (labelType instanceof org.apache.spark.sql.types.LongType) {
      return row.getLong(o);
    } else if (labelType instanceof org.apache.spark.sql.types.IntegerType) {
      return row.getInt(o);
    } else if (labelType instanceof org.apache.spark.sql.types.ShortType) {
      return row.getShort(o);
    } else if (labelType instanceof org.apache.spark.sql.types.ByteType) {
      return row.getByte(o);
    } else if (labelType instanceof org.apache.spark.sql.types.DecimalType d) {
      return row.getDecimal(o, d.precision(), d.scale()).toDouble();
    }
    throw new IllegalStateException("label column of type " + labelType + " is not a number");
  }

  /** Rows from a scan are reused buffers: keep our own copy of any value that points into one. */
  static Object copyOf(Object v) {
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
}
