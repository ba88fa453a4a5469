package dev.inferlake.executors.internal;

import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Checks every input row against every model's inputs, the same way scoring encodes them, and emits
 * one {@link dev.inferlake.executors.QuarantineSchema} row per (row, model) that does not fit. Runs
 * no model.
 */
public final class ValidationIterator implements Iterator<InternalRow> {
  private final Iterator<InternalRow> input;
  private final ScoringSpec spec;
  private final List<ScoredModel> models;
  private final KeyColumn[] keys;
  private final RowEncoder encoder;
  private final ArrayDeque<InternalRow> pending = new ArrayDeque<>();

  public ValidationIterator(ScoringSpec spec, Iterator<InternalRow> input) {
    this.input = input;
    this.spec = spec;
    this.models = spec.models();
    this.keys = spec.keys().toArray(new KeyColumn[0]);
    this.encoder = new RowEncoder(spec, 1);
  }

  @Override
  public boolean hasNext() {
    while (pending.isEmpty() && input.hasNext()) {
      InternalRow row = input.next();
      if (encoder.encode(row, 0)) {
        continue;
      }
      for (int m = 0; m < models.size(); m++) {
        Invalid why = encoder.invalidFor(m);
        if (why != null) {
          pending.add(reject(row, models.get(m), why));
        }
      }
    }
    return !pending.isEmpty();
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.poll();
  }

  private InternalRow reject(InternalRow row, ScoredModel model, Invalid why) {
    Object[] values = new Object[keys.length + 8];
    for (int j = 0; j < keys.length; j++) {
      values[j] = ScoringIterator.copyOf(row.get(keys[j].ordinal(), keys[j].type()));
    }
    int c = keys.length;
    values[c++] = UTF8String.fromString(model.name());
    values[c++] = UTF8String.fromString(model.version());
    values[c++] = UTF8String.fromString(why.reason().code());
    values[c++] = UTF8String.fromString(why.column());
    values[c++] = UTF8String.fromString(why.detail());
    values[c++] = UTF8String.fromString(spec.runId());
    values[c++] = spec.dsEpochDay();
    values[c] = spec.scoredAtMicros();
    return new GenericInternalRow(values);
  }
}
