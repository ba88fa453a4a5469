package dev.inferlake.partitioning;

import java.util.List;
import java.util.Objects;

/**
 * What metadata says about one input file.
 *
 * @param path the file, as the reader names it
 * @param bytes its size
 * @param rows its row count (from the footer, or from Delta's {@code numRecords})
 * @param rowGroups its row groups, from the footer; empty when only a row count is known
 */
public record InputFile(String path, long bytes, long rows, List<RowGroup> rowGroups) {
  public InputFile {
    Objects.requireNonNull(path, "path");
    rowGroups = List.copyOf(rowGroups);
    if (!rowGroups.isEmpty()) {
      long sum = 0;
      for (RowGroup g : rowGroups) {
        sum += g.rows();
      }
      if (sum != rows) {
        throw new IllegalArgumentException(
            path + ": row groups hold " + sum + " rows but the file says " + rows);
      }
    }
  }

  /** A file known only by its row count (Delta log statistics). */
  public static InputFile counted(String path, long bytes, long rows) {
    return new InputFile(path, bytes, rows, List.of());
  }

  /**
   * The rows a reader of byte range {@code [start, start + length)} of this file returns: the row
   * groups whose midpoint lies in it. Without row groups, the whole file's rows for a range that
   * covers it, or a share by bytes for a part of it.
   */
  public long rowsIn(long start, long length) {
    long end = start + length;
    if (rowGroups.isEmpty()) {
      if (start <= 0 && end >= bytes) {
        return rows;
      }
      return bytes == 0
          ? 0
          : Math.round((double) rows * Math.max(0, Math.min(end, bytes) - start) / bytes);
    }
    long n = 0;
    for (RowGroup g : rowGroups) {
      long mid = g.midpoint();
      if (mid >= start && mid < end) {
        n += g.rows();
      }
    }
    return n;
  }
}
