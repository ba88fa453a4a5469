package dev.inferlake.executors;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Sees every prediction row of a partition together with the label of the input row it predicts,
 * while the partition is scored: what evaluation while scoring counts from. The label is read from
 * the input rows at {@link #labelOrdinal} (a numeric column, cast to double as Spark casts it); a
 * row a model rejected is never shown to it.
 */
public interface LabelTap extends Serializable {
  /** The label column's position in the input rows. */
  int labelOrdinal();

  /** The label column's type (a numeric type). */
  org.apache.spark.sql.types.DataType labelType();

  /** A fresh counter for partition {@code partition} of the scored input. */
  Partition open(int partition);

  /** One partition's counter. Not thread-safe. */
  interface Partition {
    /**
     * One prediction row of model {@code model} (its index in the spec) for an input row with a
     * non-null label.
     *
     * @param row the prediction row, in {@link PredictionSchema#of(java.util.List,
     *     java.util.List)}; only valid during the call
     * @param predictionOrdinal the position of {@code prediction}; {@code probabilities} follows
     */
    void row(int model, double label, InternalRow row, int predictionOrdinal);

    /** Called once, when every row of the partition was shown: hands the counts over. */
    void done();
  }
}
