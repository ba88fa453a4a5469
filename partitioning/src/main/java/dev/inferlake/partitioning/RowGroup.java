package dev.inferlake.partitioning;

/**
 * One Parquet row group, as its footer describes it.
 *
 * @param start the offset of its first column chunk in the file
 * @param bytes its compressed size (the sum of its column chunks)
 * @param rows its row count
 */
public record RowGroup(long start, long bytes, long rows) {
  public RowGroup {
    if (start < 0 || bytes < 0 || rows < 0) {
      throw new IllegalArgumentException(
          "row group with negative start, size or rows: " + start + ", " + bytes + ", " + rows);
    }
  }

  /**
   * The offset a reader uses to decide which byte range a row group belongs to: a range {@code
   * [from, to)} reads the row groups whose midpoint lies in it (Parquet's rule, which Spark's
   * readers follow), so every row group is read by exactly one range.
   */
  public long midpoint() {
    return start + bytes / 2;
  }
}
