package dev.inferlake.executors.internal;

import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.Task;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One model's output tensors to prediction columns, by its {@link Task}: the task output (float32)
 * becomes {@code prediction}, {@code probabilities}, {@code label}, {@code predictions} and {@code
 * embedding} as the task says, and every stored output goes into its field of the {@code outputs}
 * struct ({@link StoredOutputs}). Columns the run's schema has but this model does not fill are
 * null. The task columns are read from the float32 output the runner wrote, without per-value
 * objects: each vector column is one reused array, rewritten in place for every row.
 *
 * <p>Not thread-safe: one per model per task.
 */
final class PredictionDecoder {
  private final ScoredModel model;
  private final Task task;
  private final Task.Kind kind;
  private final int width;
  private final Map<String, Tensor> outputs = new HashMap<>();
  private final Tensor output;
  private FloatBuffer values;

  private final int predictionColumn;
  private final int labelColumn;
  private final int predictionsColumn;
  private final int embeddingColumn;
  private final int outputsColumn;

  private final ReusedArray probabilities;
  private final ReusedArray predictions;
  private final ReusedArray embedding;
  private final UTF8String[] labels;
  private final StoredOutputs stored;

  /** The pooled vectors of a per-token output, {@code width} per row; null otherwise. */
  private float[] pooled;

  /**
   * @param schema the run's prediction schema ({@link PredictionSchema#of(List, List)})
   * @param predictionColumn the ordinal of {@code prediction}; {@code probabilities} follows it
   */
  PredictionDecoder(ScoredModel model, int batchSize, StructType schema, int predictionColumn) {
    this.model = model;
    this.task = model.task();
    this.kind = task.kind();
    this.width = model.outputWidth();
    this.predictionColumn = predictionColumn;
    this.labelColumn = ordinal(schema, PredictionSchema.LABEL);
    this.predictionsColumn = ordinal(schema, PredictionSchema.PREDICTIONS);
    this.embeddingColumn = ordinal(schema, PredictionSchema.EMBEDDING);
    this.outputsColumn = ordinal(schema, PredictionSchema.OUTPUTS);
    if (task.pooling() != null) {
      // per-token states, [rows, longest, width]: room for the tokenizer's longest rows
      int maxLength = model.manifest().tokenizer().maxLength();
      output =
          Tensor.withCapacity(
              ElementType.FLOAT,
              Math.multiplyExact(Math.multiplyExact(batchSize, maxLength), width));
      outputs.put(model.outputName(), output);
      pooled = new float[Math.multiplyExact(batchSize, width)];
    } else if (kind != Task.Kind.RAW) {
      output = Tensor.withCapacity(ElementType.FLOAT, Math.multiplyExact(batchSize, width));
      outputs.put(model.outputName(), output);
    } else {
      output = null;
    }
    probabilities =
        switch (kind) {
          case CLASSIFIER, MULTILABEL -> ReusedArray.floats(width);
          case BINARY -> ReusedArray.floats(2);
          case REGRESSOR, EMBEDDING, RAW -> null;
        };
    predictions =
        kind == Task.Kind.MULTILABEL || (kind == Task.Kind.REGRESSOR && width > 1)
            ? ReusedArray.doubles(width)
            : null;
    embedding = kind == Task.Kind.EMBEDDING ? ReusedArray.floats(width) : null;
    List<String> names = task.classNames();
    labels = names.stream().map(UTF8String::fromString).toArray(UTF8String[]::new);
    if (model.stored().isEmpty()) {
      stored = null;
    } else {
      StructType struct = (StructType) schema.apply(PredictionSchema.OUTPUTS).dataType();
      stored = new StoredOutputs(model.stored(), struct, batchSize, outputs);
    }
  }

  private static int ordinal(StructType schema, String name) {
    return java.util.Arrays.asList(schema.fieldNames()).indexOf(name);
  }

  /** The outputs the runner fetches, by name, each the tensor it writes into. */
  Map<String, Tensor> outputs() {
    return outputs;
  }

  /**
   * Takes the batch of {@code rows} the runner just wrote; a per-token output is pooled over each
   * row's first {@code tokens[r]} positions (the ones its attention mask keeps).
   *
   * @param tokens per row, its unpadded token count; null when the model reads no text
   */
  void scored(int rows, int[] tokens) {
    if (task.pooling() != null) {
      pool(rows, tokens);
    } else if (output != null) {
      if (output.size() != rows * width) {
        throw new IllegalStateException(
            "output '"
                + model.outputName()
                + "' holds "
                + output
                + ", not "
                + rows
                + " x "
                + width);
      }
      values = output.asFloatBuffer();
    }
    if (stored != null) {
      stored.scored(rows);
    }
  }

  /** Pools the per-token states of every row into {@link #pooled}, then reads from there. */
  private void pool(int rows, int[] tokens) {
    long[] shape = output.shape();
    if (shape.length != 3 || shape[0] != rows || shape[2] != width || tokens == null) {
      throw new IllegalStateException(
          "output '"
              + model.outputName()
              + "' holds "
              + output
              + ", not "
              + rows
              + " x seq x "
              + width);
    }
    int seq = (int) shape[1];
    java.nio.FloatBuffer states = output.asFloatBuffer();
    java.util.Arrays.fill(pooled, 0, rows * width, 0f);
    for (int r = 0; r < rows; r++) {
      int base = r * width;
      int n = Math.min(tokens[r], seq);
      switch (task.pooling()) {
        case CLS -> {
          for (int j = 0; j < width; j++) {
            pooled[base + j] = n > 0 ? states.get(r * seq * width + j) : 0f;
          }
        }
        case MEAN -> {
          for (int j = 0; j < width; j++) {
            double sum = 0;
            for (int t = 0; t < n; t++) {
              sum += states.get((r * seq + t) * width + j);
            }
            pooled[base + j] = n > 0 ? (float) (sum / n) : 0f;
          }
        }
      }
    }
    values = java.nio.FloatBuffer.wrap(pooled, 0, rows * width);
  }

  /** Writes batch slot {@code slot}'s columns into {@code out}. */
  void writeTo(SpecificInternalRow out, int slot) {
    int base = slot * width;
    int label = -1;
    setNull(out, labelColumn);
    setNull(out, predictionsColumn);
    setNull(out, embeddingColumn);
    out.setNullAt(predictionColumn + 1);
    switch (kind) {
      case CLASSIFIER -> {
        int best = 0;
        float top = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
          float p = values.get(base + j);
          probabilities.setFloat(j, p);
          if (p > top || j == 0) {
            top = p;
            best = j;
          }
        }
        out.setDouble(predictionColumn, best);
        out.update(predictionColumn + 1, probabilities.data());
        label = best;
      }
      case BINARY -> {
        float p = probability(values.get(base));
        int on = p >= task.threshold() ? 1 : 0;
        probabilities.setFloat(0, 1 - p);
        probabilities.setFloat(1, p);
        out.setDouble(predictionColumn, on);
        out.update(predictionColumn + 1, probabilities.data());
        label = on;
      }
      case MULTILABEL -> {
        int count = 0;
        StringBuilder names = labels.length > 0 ? new StringBuilder() : null;
        for (int j = 0; j < width; j++) {
          float p = probability(values.get(base + j));
          probabilities.setFloat(j, p);
          int on = p >= task.threshold() ? 1 : 0;
          predictions.setDouble(j, on);
          count += on;
          if (on == 1 && names != null) {
            names.append(names.length() == 0 ? "" : ",").append(labels[j]);
          }
        }
        out.setDouble(predictionColumn, count);
        out.update(predictionColumn + 1, probabilities.data());
        out.update(predictionsColumn, predictions.data());
        if (names != null) {
          out.update(labelColumn, UTF8String.fromString(names.toString()));
        }
      }
      case REGRESSOR -> {
        if (width == 1) {
          out.setDouble(predictionColumn, values.get(base));
        } else {
          out.setNullAt(predictionColumn);
          for (int j = 0; j < width; j++) {
            predictions.setDouble(j, values.get(base + j));
          }
          out.update(predictionsColumn, predictions.data());
        }
      }
      case EMBEDDING -> {
        out.setNullAt(predictionColumn);
        double scale = 1;
        if (task.normalizeL2()) {
          double sum = 0;
          for (int j = 0; j < width; j++) {
            double v = values.get(base + j);
            sum += v * v;
          }
          scale = sum > 0 ? 1 / Math.sqrt(sum) : 1; // a zero vector stays zero
        }
        for (int j = 0; j < width; j++) {
          embedding.setFloat(j, (float) (values.get(base + j) * scale));
        }
        out.update(embeddingColumn, embedding.data());
      }
      case RAW -> out.setNullAt(predictionColumn);
    }
    if (label >= 0 && label < labels.length) {
      out.update(labelColumn, labels[label]);
    }
    if (outputsColumn >= 0) {
      if (stored == null) {
        out.setNullAt(outputsColumn);
      } else {
        out.update(outputsColumn, stored.row(slot));
      }
    }
  }

  private float probability(float v) {
    return task.logits() ? (float) (1 / (1 + Math.exp(-v))) : v;
  }

  private static void setNull(SpecificInternalRow out, int column) {
    if (column >= 0) {
      out.setNullAt(column);
    }
  }
}
