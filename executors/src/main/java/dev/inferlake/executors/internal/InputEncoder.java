package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.TensorSpec;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Rows to one model input's tensor: reads each row's values from the bound columns into a staging
 * area, one row per call, then moves a whole batch into the tensor the runner reads. One encoder
 * per element type; {@link #of} picks it.
 *
 * <p>Values a model cannot take are reported, not written. Not thread-safe: one per task.
 */
interface InputEncoder {

  /**
   * The encoder for a binding, with room for {@code batchSize} rows.
   *
   * @param model the model named in messages about this input
   * @throws IllegalArgumentException for an element type no encoder fills (float16, string, other:
   *     {@link InputBinding#bind} refuses those)
   */
  static InputEncoder of(InputBinding binding, String model, int batchSize) {
    return of(binding, model, batchSize, new java.util.HashMap<>());
  }

  /**
   * As {@link #of(InputBinding, String, int)}; text inputs fed from one column by one tokenizer
   * share one {@link TextStage} of {@code stages}, so a batch is tokenized once for all of them.
   */
  static InputEncoder of(
      InputBinding binding,
      String model,
      int batchSize,
      java.util.Map<TextStage.Key, TextStage> stages) {
    return of(binding, model, batchSize, stages, null);
  }

  /**
   * As {@link #of(InputBinding, String, int, java.util.Map)}; image inputs take their decoded
   * pictures from {@code ahead} when it is not null, and decode them themselves otherwise.
   */
  static InputEncoder of(
      InputBinding binding,
      String model,
      int batchSize,
      java.util.Map<TextStage.Key, TextStage> stages,
      ImageAhead ahead) {
    return switch (binding.kind()) {
      case IMAGE -> new ImageEncoder(binding, model, batchSize, ahead);
      case TEXT ->
          new TextEncoder(
              binding,
              model,
              batchSize,
              stages.computeIfAbsent(
                  TextStage.Key.of(binding),
                  k -> new TextStage(binding.text(), model, batchSize, k.column())));
      case VALUES -> ofValues(binding, model, batchSize);
    };
  }

  private static InputEncoder ofValues(InputBinding binding, String model, int batchSize) {
    return switch (binding.elementType()) {
      case FLOAT -> new FloatEncoder(binding, model, batchSize);
      case DOUBLE -> new DoubleEncoder(binding, model, batchSize);
      case INT64, INT32, INT8, UINT8 -> new IntegerEncoder(binding, model, batchSize);
      case BOOL -> new BoolEncoder(binding, model, batchSize);
      case FLOAT16, STRING, OTHER ->
          throw new IllegalArgumentException(
              "no encoder fills " + binding.elementType().lowerName() + " inputs");
    };
  }

  /**
   * Writes {@code row}'s values as example {@code slot} of the batch.
   *
   * @return null when the row fits; otherwise why not (the slot then holds no meaningful values)
   */
  Invalid encode(InternalRow row, int slot);

  /**
   * Moves the first {@code rows} encoded examples into {@link #tensor()} and shapes it for them.
   */
  void flush(int rows);

  /** The tensor the encoded batch lives in, shared with the runners of every model it feeds. */
  Tensor tensor();

  /** The model named in messages about this input (the first one fed by it). */
  String model();

  /** The model input, as messages show it. */
  TensorSpec spec();
}
