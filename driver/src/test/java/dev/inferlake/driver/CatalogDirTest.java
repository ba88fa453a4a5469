package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the embedded catalog lives: never the current directory unless asked for. */
class CatalogDirTest {
  @Test
  void defaultsToTheHomeFolderWhateverTheCurrentDirectory() {
    Path home = Path.of("/home/analyst");
    assertEquals(
        Path.of("/home/analyst/.inferlake/catalog"), SparkSessions.catalogDir(Map.of(), home));
    assertEquals(
        Path.of("/home/analyst/.inferlake/catalog"),
        SparkSessions.catalogDir(Map.of("INFERLAKE_CATALOG_DIR", " "), home));
  }

  @Test
  void theEnvironmentChoosesAnother() {
    Path home = Path.of("/home/analyst");
    assertEquals(
        Path.of("/srv/catalog"),
        SparkSessions.catalogDir(Map.of("INFERLAKE_CATALOG_DIR", "/srv/./catalog/"), home));
    assertEquals(
        Path.of("cat").toAbsolutePath(),
        SparkSessions.catalogDir(Map.of("INFERLAKE_CATALOG_DIR", "cat"), home));
  }
}
