package dev.inferlake.executors.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary folders the executors make and clean up. */
public final class TempFolders {
  private TempFolders() {}

  /** Deletes a folder and what it holds, best effort; null does nothing. */
  public static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temp folder holds no complete model
    }
  }
}
