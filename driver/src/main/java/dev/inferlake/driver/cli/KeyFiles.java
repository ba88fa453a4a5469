package dev.inferlake.driver.cli;

import dev.inferlake.driver.registry.RegistryErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes key files: whole or not at all, never through a symlink, secrets owner-only from birth.
 */
final class KeyFiles {
  private KeyFiles() {}

  /**
   * Writes {@code text} to {@code file} through a temporary file beside it, created owner-only when
   * {@code secret} (so no other user can ever open it), then moved into place atomically. The move
   * replaces the path itself: a symlink there is replaced, its target never written.
   *
   * @param force whether an existing file (or link) may be replaced
   * @throws dev.inferlake.model.InferlakeException USAGE when the file exists and {@code force} is
   *     false
   */
  static void write(Path file, String text, boolean secret, boolean force) throws IOException {
    Path target = file.toAbsolutePath();
    if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw RegistryErrors.keyFileExists(file);
    }
    Path dir = target.getParent();
    Path tmp;
    try {
      tmp =
          secret
              ? Files.createTempFile(
                  dir,
                  ".keygen-",
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(dir, ".keygen-", ".tmp");
    } catch (UnsupportedOperationException e) {
      tmp = Files.createTempFile(dir, ".keygen-", ".tmp"); // not POSIX: the platform's defaults
    }
    try {
      Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
