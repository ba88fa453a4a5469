package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inferlake.model.testing.TextClf;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The text model's tokenizer, as executors run it (DJL's HuggingFace tokenizers through {@link
 * TextTokenizer}), gives the Python tokenizer's ids for every text of the corpus and for the edge
 * texts the script wrote beside it (accents, other scripts, control characters, empty text, texts
 * over the maximum length, special tokens written in the text).
 */
class TextClfTokenIdsTest {
  @Test
  void everyCorpusTextAndEveryEdgeTextGetsPythonsIds() throws Exception {
    Map<Long, long[]> python = TextClf.tokenIds();
    List<Long> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String split : List.of("train", "test")) {
      TextClf.Rows rows = TextClf.rows(split);
      for (int r = 0; r < rows.ids().length; r++) {
        ids.add(rows.ids()[r]);
        texts.add(rows.texts()[r]);
      }
    }
    assertEquals(python.size(), ids.size(), "the token file covers the whole corpus");
    try (TextTokenizer t =
        TextTokenizer.load(
            Files.readAllBytes(TextClf.tokenizerFile()),
            TextClf.MAX_LENGTH,
            TextTokenizer.Truncation.RIGHT,
            "textclf:test")) {
      TextTokenizer.Batch corpus = t.encode(texts);
      int mismatches = 0;
      String first = null;
      for (int r = 0; r < ids.size(); r++) {
        if (!java.util.Arrays.equals(python.get(ids.get(r)), corpus.inputIds()[r])) {
          mismatches++;
          first = first != null ? first : "row " + ids.get(r) + " '" + texts.get(r) + "'";
        }
      }
      assertEquals(0, mismatches, "first mismatch: " + first);

      for (TextClf.Tokenized edge : TextClf.edgeCases()) {
        long[] got = t.encode(List.of(edge.text())).inputIds()[0];
        assertArrayEquals(edge.tokenIds(), got, "edge text '" + edge.text() + "'");
      }
    }
  }
}
