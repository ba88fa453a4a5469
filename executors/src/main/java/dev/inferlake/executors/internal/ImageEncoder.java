package dev.inferlake.executors.internal;

import dev.inferlake.executors.ImagePreprocessor;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.TensorSpec;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The encoder of an image input: reads a binary column of encoded pictures, decodes and
 * preprocesses each as the package declares ({@link ImagePreprocessor}) into a staging array, and
 * on {@link #flush} moves the batch into the float tensor the runner reads. When an {@link
 * ImageAhead} decodes the task's pictures ahead, the values come from it; otherwise they are
 * decoded here.
 *
 * <p>Bad rows: a null column ({@code null_value}), bytes no reader decodes whole ({@code
 * undecodable}), a picture over the pixel limit ({@code too_large}, never decoded).
 *
 * <p>Not thread-safe: one per task.
 */
final class ImageEncoder implements InputEncoder {
  private final InputBinding binding;
  private final String model;
  private final ImagePreprocessor preprocessor;
  private final ImageAhead ahead;
  private final ImageAhead.Key key;
  private final int ordinal;
  private final String column;
  private final int perRow;
  private final float[] staging;
  private final Tensor tensor;

  /**
   * @param ahead the task's decoder ahead, or null to decode in {@link #encode}
   */
  ImageEncoder(InputBinding binding, String model, int batchSize, ImageAhead ahead) {
    this.binding = binding;
    this.model = model;
    this.preprocessor =
        new ImagePreprocessor(
            binding.image().image(), binding.input().shape(), binding.image().maxPixels());
    this.ahead = ahead;
    this.key = ImageAhead.Key.of(binding);
    this.ordinal = binding.columns().get(0).ordinal();
    this.column = binding.columns().get(0).name();
    this.perRow = preprocessor.valuesPerPicture();
    if (perRow != binding.input().elementsPerRow()) {
      throw new IllegalArgumentException(
          "preprocessing gives " + perRow + " values, input " + binding.input() + " takes more");
    }
    this.staging = new float[Math.multiplyExact(batchSize, perRow)];
    this.tensor = Tensor.allocate(binding.input(), batchSize);
  }

  @Override
  public Invalid encode(InternalRow row, int slot) {
    if (row.isNullAt(ordinal)) {
      return new Invalid(Invalid.Reason.NULL_VALUE, column, "null");
    }
    ImagePreprocessor.Refusal refusal;
    if (ahead != null) {
      Object v = ahead.current(key);
      if (v instanceof float[] values) {
        System.arraycopy(values, 0, staging, slot * perRow, perRow);
        refusal = null;
      } else {
        refusal = (ImagePreprocessor.Refusal) v;
      }
    } else {
      refusal = preprocessor.preprocess(row.getBinary(ordinal), staging, slot * perRow);
    }
    if (refusal == null) {
      return null;
    }
    Invalid.Reason reason =
        switch (refusal.problem()) {
          case UNDECODABLE -> Invalid.Reason.UNDECODABLE;
          case TOO_LARGE -> Invalid.Reason.TOO_LARGE;
        };
    return new Invalid(reason, column, refusal.detail());
  }

  @Override
  public void flush(int rows) {
    tensor.setRows(rows).asFloatBuffer().put(0, staging, 0, rows * perRow);
  }

  @Override
  public Tensor tensor() {
    return tensor;
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public TensorSpec spec() {
    return binding.input();
  }
}
