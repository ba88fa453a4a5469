package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inferlake.executors.TextFeed;
import dev.inferlake.executors.TextTokenizer;
import dev.inferlake.executors.testing.WordPieceTokenizers;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** A text stage tokenizes each text once, whether length bucketing tokenized it ahead or not. */
class TextStageTest {
  private static final byte[] JSON = WordPieceTokenizers.bertLike();
  private static final int MAX = 6;

  private static TextFeed feed() {
    ModelManifest.Tokenizer t =
        new ModelManifest.Tokenizer(
            "huggingface",
            ModelDigest.sha256(JSON),
            JSON.length,
            null,
            List.of("[CLS]", "[SEP]"),
            MAX,
            "right",
            Map.of("input_ids", "input_ids"));
    return new TextFeed("input_ids", t, () -> JSON);
  }

  private static InternalRow row(String text) {
    return new GenericInternalRow(new Object[] {text == null ? null : UTF8String.fromString(text)});
  }

  @Test
  void rowsTokenizedForSortingAreNotTokenizedAgainInTheirBatch() {
    List<String> texts =
        List.of("the cat sat", "", "the cat sat on a mat playing with the dog", "dog sat");
    TextStage stage = new TextStage(feed(), "m:1", 8, 0);
    List<InternalRow> rows = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    for (String t : texts) {
      InternalRow r = row(t);
      rows.add(r);
      lengths.add(stage.length(r));
    }
    assertEquals(texts.size(), stage.tokenized(), "one tokenization per row to sort by");
    // Put in reverse order, as a sort would reorder them; a second input of the same stage puts
    // the same rows again.
    for (int pass = 0; pass < 2; pass++) {
      for (int slot = 0; slot < rows.size(); slot++) {
        InternalRow r = rows.get(rows.size() - 1 - slot);
        stage.put(slot, r, r.getUTF8String(0).toString());
      }
    }
    TextTokenizer.Batch b = stage.batch(rows.size());
    assertEquals(texts.size(), stage.tokenized(), "the batch reused every sorted row's tokens");

    try (TextTokenizer fresh =
        TextTokenizer.load(JSON, MAX, TextTokenizer.Truncation.RIGHT, "m:1")) {
      List<String> reversed = new ArrayList<>(texts);
      java.util.Collections.reverse(reversed);
      TextTokenizer.Batch want = fresh.encode(reversed);
      for (int i = 0; i < reversed.size(); i++) {
        assertArrayEquals(want.inputIds()[i], b.inputIds()[i], "row " + i);
        assertEquals(
            (int) lengths.get(texts.size() - 1 - i), b.inputIds()[i].length, "length of " + i);
      }
      assertEquals(want.longest(), b.longest());
      assertEquals(1, b.truncatedRows(), "the long text is cut to " + MAX);
    }
  }

  @Test
  void rowsNotSortedAheadAreTokenizedWithTheirBatchAndNullTextIsEmpty() {
    TextStage stage = new TextStage(feed(), "m:1", 4, 0);
    InternalRow sorted = row("the cat sat");
    assertEquals(-1, stage.length(row(null)));
    stage.length(sorted);
    assertEquals(1, stage.tokenized());
    InternalRow plain = row("cat");
    stage.put(0, plain, "cat");
    stage.put(1, sorted, "the cat sat");
    stage.put(2, row(null), null);
    TextTokenizer.Batch b = stage.batch(3);
    assertEquals(3, stage.tokenized(), "the unsorted and the null row tokenized in the batch");
    assertEquals(2, b.inputIds()[2].length, "a null text is scored as the empty text: [CLS] [SEP]");
    // A reused buffer (as a scan hands out) with new text is tokenized anew, not taken from an
    // earlier batch's tokens.
    stage.put(0, plain, "dog");
    TextTokenizer.Batch again = stage.batch(1);
    assertEquals(4, stage.tokenized());
    assertEquals(WordPieceTokenizers.id("dog"), again.inputIds()[0][1]);
  }
}
