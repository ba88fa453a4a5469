package dev.inferlake.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCatalogTest {
  @TempDir Path dir;

  static final Path HOME = Path.of("/home/analyst");

  @Test
  void defaultsToTheHomeFolderWhateverTheCurrentDirectory() {
    Path expected = Path.of("/home/analyst/.inferlake/catalog");
    assertEquals(expected, EmbeddedCatalog.locate(Map.of(), HOME).dir());
    assertEquals(
        expected, EmbeddedCatalog.locate(Map.of("INFERLAKE_CATALOG_DIR", " "), HOME).dir());
  }

  @Test
  void theEnvironmentChoosesAnother() {
    assertEquals(
        Path.of("/srv/catalog"),
        EmbeddedCatalog.locate(Map.of("INFERLAKE_CATALOG_DIR", "/srv/./catalog/"), HOME).dir());
    assertEquals(
        Path.of("cat").toAbsolutePath(),
        EmbeddedCatalog.locate(Map.of("INFERLAKE_CATALOG_DIR", "cat"), HOME).dir());
  }

  @Test
  void aMetastoreThatAnotherProcessHoldsIsReportedInOneLine() throws Exception {
    EmbeddedCatalog catalog =
        EmbeddedCatalog.locate(Map.of("INFERLAKE_CATALOG_DIR", dir + ""), HOME);
    catalog.checkNotInUse(); // no metastore yet
    Path lockFile = Files.createDirectories(dir.resolve("metastore_db")).resolve("dbex.lck");
    Files.writeString(lockFile, "");
    catalog.checkNotInUse(); // left by a process that ended

    Process holder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    LockHolder.class.getName(),
                    lockFile.toString()))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("locked", out.readLine());
      InferlakeException e = assertThrows(InferlakeException.class, catalog::checkNotInUse);
      assertEquals(ErrorKind.RUN, e.kind());
      assertEquals(
          "the catalog in "
              + dir
              + " is in use by another process (its embedded metastore serves one at a time): run"
              + " register and sql one after another, or set INFERLAKE_CATALOG_DIR to another"
              + " folder",
          e.getMessage());
    } finally {
      holder.getOutputStream().close(); // ends the holder
      if (!holder.waitFor(30, TimeUnit.SECONDS)) {
        holder.destroyForcibly();
      }
    }
    catalog.checkNotInUse(); // released
  }

  /** Holds an exclusive lock on a file, as Derby does, until its standard input closes. */
  public static final class LockHolder {
    public static void main(String[] args) throws Exception {
      try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
        ch.lock();
        System.out.println("locked");
        System.out.flush();
        while (System.in.read() >= 0) {
          // until the test closes our input
        }
      }
    }
  }
}
