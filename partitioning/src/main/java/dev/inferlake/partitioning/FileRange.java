package dev.inferlake.partitioning;

import java.util.Objects;

/**
 * A byte range of one file that a reader reads as a piece of one task.
 *
 * @param path the file, spelled as {@link InputFile#path()}
 */
public record FileRange(String path, long start, long length) {
  public FileRange {
    Objects.requireNonNull(path, "path");
  }
}
