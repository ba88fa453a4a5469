package dev.inferlake.executors.internal;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.Tensor;
import dev.inferlake.executors.TextTokenizer;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.TensorSpec;
import java.nio.LongBuffer;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The encoder of a text input: reads a string column into a {@link TextStage} shared by every input
 * the same tokenizer feeds from that column, and on {@link #flush} writes its tokenizer output
 * ({@code input_ids}, {@code attention_mask} or {@code token_type_ids}) padded with 0 to the
 * longest row of the batch: the tensor is {@code [rows, longest]}, and the attention mask is 0 on
 * every padded position.
 *
 * <p>A null text is a bad row ({@code null_value}); the empty text is valid.
 *
 * <p>Not thread-safe: one per task.
 */
final class TextEncoder implements InputEncoder {
  /** Which tokenizer output the input receives. */
  private enum Role {
    INPUT_IDS,
    ATTENTION_MASK,
    TOKEN_TYPE_IDS
  }

  private final InputBinding binding;
  private final String model;
  private final TextStage stage;
  private final Role role;
  private final int ordinal;
  private final String column;
  private final Tensor tensor;

  TextEncoder(InputBinding binding, String model, int batchSize, TextStage stage) {
    this.binding = binding;
    this.model = model;
    this.stage = stage;
    this.role =
        switch (binding.text().role()) {
          case ModelManifest.Tokenizer.INPUT_IDS -> Role.INPUT_IDS;
          case ModelManifest.Tokenizer.ATTENTION_MASK -> Role.ATTENTION_MASK;
          case ModelManifest.Tokenizer.TOKEN_TYPE_IDS -> Role.TOKEN_TYPE_IDS;
          default ->
              throw new IllegalArgumentException("no tokenizer output " + binding.text().role());
        };
    this.ordinal = binding.columns().get(0).ordinal();
    this.column = binding.columns().get(0).name();
    this.tensor =
        Tensor.withCapacity(
            ElementType.INT64,
            Math.multiplyExact(batchSize, binding.text().tokenizer().maxLength()));
  }

  @Override
  public Invalid encode(InternalRow row, int slot) {
    if (row.isNullAt(ordinal)) {
      stage.put(slot, row, null);
      return new Invalid(Invalid.Reason.NULL_VALUE, column, "null");
    }
    stage.put(slot, row, row.getUTF8String(ordinal).toString());
    return null;
  }

  @Override
  public void flush(int rows) {
    TextTokenizer.Batch b = stage.batch(rows);
    int longest = b.longest();
    long[][] values =
        switch (role) {
          case INPUT_IDS -> b.inputIds();
          case ATTENTION_MASK -> b.attentionMask();
          case TOKEN_TYPE_IDS -> b.tokenTypeIds();
        };
    tensor.reshape(rows, longest);
    LongBuffer out = tensor.asLongBuffer();
    for (int r = 0; r < rows; r++) {
      long[] v = values[r];
      int at = r * longest;
      out.put(at, v, 0, v.length);
      for (int j = v.length; j < longest; j++) {
        out.put(at + j, 0L);
      }
    }
  }

  /** The stage this input shares with the other inputs of its column and tokenizer. */
  TextStage stage() {
    return stage;
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
