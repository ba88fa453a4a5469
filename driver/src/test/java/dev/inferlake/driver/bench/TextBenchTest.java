package dev.inferlake.driver.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The padding share {@code bench text} prints, on token counts worked out by hand. */
class TextBenchTest {
  @Test
  void paddingShareWithoutBucketingPadsEachBatchInRowOrder() {
    // batches [2, 4] -> 2 x 4 = 8 positions, 6 tokens; [3, 1] -> 2 x 3 = 6 positions, 4 tokens
    assertEquals(4.0 / 14, TextBench.paddingShare(new int[] {2, 4, 3, 1}, 2, false), 1e-12);
  }

  @Test
  void paddingShareWithBucketingSortsAWindowOfEightBatches() {
    // one window (8 x 2 rows) sorted: [1, 2] -> 4 positions, 3 tokens; [3, 4] -> 8, 7
    assertEquals(2.0 / 12, TextBench.paddingShare(new int[] {2, 4, 3, 1}, 2, true), 1e-12);
    // batch 2, window 16: rows 0..15 sorted, then rows 16..17 in their own window
    int[] l = new int[18];
    for (int i = 0; i < 16; i++) {
      l[i] = i % 2 == 0 ? 1 : 5; // unsorted, every batch [1, 5]: 10 positions, 6 tokens
    }
    l[16] = 2;
    l[17] = 3; // 6 positions, 5 tokens: 1 padded either way
    assertEquals((4.0 * 8 + 1) / (10 * 8 + 6), TextBench.paddingShare(l, 2, false), 1e-12);
    // sorted: [1,1] x4, [5,5] x4 pad nothing; the last window pads 1 of 6
    assertEquals(1.0 / (1 * 8 + 5 * 8 + 6), TextBench.paddingShare(l, 2, true), 1e-12);
  }

  @Test
  void noTokensNoPadding() {
    assertEquals(0.0, TextBench.paddingShare(new int[0], 4, true));
  }
}
