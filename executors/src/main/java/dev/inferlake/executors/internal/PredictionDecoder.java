package dev.inferlake.executors.internal;

import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import java.nio.FloatBuffer;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * One model's output tensor to prediction columns: a classifier's (width {@code > 1}) prediction is
 * the arg max and its probabilities are stored; a regressor's prediction is its one value. Reads
 * the float32 output the runner wrote, without per-value objects: the probabilities array is one
 * reused {@code UnsafeArrayData}, rewritten in place for every row.
 *
 * <p>Not thread-safe: one per model per task.
 */
final class PredictionDecoder {
  private final String outputName;
  private final int width;
  private final boolean classifier;
  private final Tensor output;
  private final byte[] probabilityBytes;
  private final int probabilityHeader;
  private final UnsafeArrayData probabilities;
  private FloatBuffer values;

  PredictionDecoder(ScoredModel model, int batchSize) {
    this.outputName = model.outputName();
    this.width = model.outputWidth();
    this.classifier = model.isClassifier();
    this.output = Tensor.withCapacity(ElementType.FLOAT, Math.multiplyExact(batchSize, width));
    if (classifier) {
      int header = UnsafeArrayData.calculateHeaderPortionInBytes(width);
      byte[] b = new byte[header + ((width * 4 + 7) & ~7)];
      Platform.putLong(b, Platform.BYTE_ARRAY_OFFSET, width); // element count; no null bits
      probabilityBytes = b;
      probabilityHeader = header;
      probabilities = new UnsafeArrayData();
      probabilities.pointTo(b, Platform.BYTE_ARRAY_OFFSET, b.length);
    } else {
      probabilityBytes = null;
      probabilityHeader = 0;
      probabilities = null;
    }
  }

  /** The output the runner fetches: its name. */
  String outputName() {
    return outputName;
  }

  /** The tensor the runner writes the output into. */
  Tensor output() {
    return output;
  }

  /** Takes the batch of {@code rows} the runner just wrote. */
  void scored(int rows) {
    if (output.size() != rows * width) {
      throw new IllegalStateException(
          "output '" + outputName + "' holds " + output + ", not " + rows + " x " + width);
    }
    values = output.asFloatBuffer();
  }

  /**
   * Writes batch slot {@code slot}'s prediction into field {@code column} of {@code out} and its
   * probabilities (null for a regressor) into field {@code column + 1}.
   */
  void writeTo(SpecificInternalRow out, int column, int slot) {
    int base = slot * width;
    if (classifier) {
      long at = Platform.BYTE_ARRAY_OFFSET + probabilityHeader;
      int best = 0;
      float top = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < width; j++) {
        float p = values.get(base + j);
        Platform.putFloat(probabilityBytes, at + 4L * j, p);
        if (p > top || j == 0) {
          top = p;
          best = j;
        }
      }
      out.setDouble(column, best);
      out.update(column + 1, probabilities);
    } else {
      out.setDouble(column, values.get(base));
      out.setNullAt(column + 1);
    }
  }
}
