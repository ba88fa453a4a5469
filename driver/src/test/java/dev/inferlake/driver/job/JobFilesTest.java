package dev.inferlake.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local paths and Hadoop URIs. The URIs go through a {@code viewfs://} mount over a temporary
 * folder: Hadoop's own client code, configured from a {@code spark.hadoop.*} JVM property as {@code
 * spark-submit --conf} sets it, without an HDFS at hand.
 */
class JobFilesTest {
  static final String MOUNT = "spark.hadoop.fs.viewfs.mounttable.jobfiles.link./store";
  static final String NO_CACHE = "spark.hadoop.fs.viewfs.impl.disable.cache";
  @TempDir Path dir;

  @BeforeEach
  void mount() {
    System.setProperty(MOUNT, dir.toUri().toString());
    // each test mounts its own folder: no file system cached from the one before
    System.setProperty(NO_CACHE, "true");
  }

  @AfterEach
  void unmount() {
    System.clearProperty(MOUNT);
    System.clearProperty(NO_CACHE);
  }

  @Test
  void schemesOfTwoOrMoreLettersAreUris() {
    assertTrue(JobFiles.isUri("hdfs:///jobs/a.yaml"));
    assertTrue(JobFiles.isUri("s3a://bucket/reports/${ds}"));
    assertTrue(JobFiles.isUri("file:/tmp/x"));
    assertFalse(JobFiles.isUri("/tmp/x"));
    assertFalse(JobFiles.isUri("jobs/a.yaml"));
    assertFalse(JobFiles.isUri("C:/jobs/a.yaml"));
    assertFalse(JobFiles.isUri("reports/${ds}"));
  }

  @Test
  void aUriIsReadAndWrittenThroughHadoopAndReplacedWhole() throws Exception {
    String uri = "viewfs://jobfiles/store/sub/status.json";
    JobFiles.writeAtomically(uri, "first");
    assertEquals("first", Files.readString(dir.resolve("sub/status.json")));
    JobFiles.writeAtomically(uri, "second, longer");
    assertEquals("second, longer", JobFiles.readString(uri));
    assertTrue(JobFiles.exists(uri));
    try (var files = Files.list(dir.resolve("sub"))) {
      assertEquals(
          0,
          files.filter(f -> f.getFileName().toString().contains(".tmp")).count(),
          "no temporary file left beside it");
    }
    assertThrows(
        java.io.IOException.class,
        () -> JobFiles.readBytes(uri, 3),
        "a file over the size cap is refused");
  }

  @Test
  void aMissingFileIsFileNotFoundForPathsAndUris() throws Exception {
    assertThrows(
        FileNotFoundException.class, () -> JobFiles.readString(dir.resolve("none").toString()));
    assertThrows(
        FileNotFoundException.class, () -> JobFiles.readString("viewfs://jobfiles/store/none"));
    assertFalse(JobFiles.exists("viewfs://jobfiles/store/none"));
  }

  @Test
  void aLocalPathIsWrittenAtomicallyWithItsFolders() throws Exception {
    Path target = dir.resolve("a/b/metrics.prom");
    JobFiles.writeAtomically(target.toString(), "x 1\n".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals("x 1\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
    assertEquals(target.toString(), JobFiles.display(target.toString()));
  }
}
