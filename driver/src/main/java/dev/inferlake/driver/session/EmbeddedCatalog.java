package dev.inferlake.driver.session;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table catalog that {@code register} and {@code sql} use when run outside spark-submit:
 * Spark's Hive metastore on an embedded Derby database, in one folder that does not depend on the
 * current directory. Derby serves one process at a time.
 */
public final class EmbeddedCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCatalog.class);

  private final Path dir;

  private EmbeddedCatalog(Path dir) {
    this.dir = dir;
  }

  /**
   * The catalog in {@code $INFERLAKE_CATALOG_DIR} when set (a relative path is taken from the
   * current directory), else in {@code .inferlake/catalog} in the user's home.
   *
   * @param env the environment, e.g. {@link System#getenv()}
   * @param home the user's home folder
   */
  public static EmbeddedCatalog locate(Map<String, String> env, Path home) {
    String dir = env.get("INFERLAKE_CATALOG_DIR");
    Path p =
        dir == null || dir.isBlank()
            ? Objects.requireNonNull(home, "home").resolve(".inferlake").resolve("catalog")
            : Path.of(dir);
    return new EmbeddedCatalog(p.toAbsolutePath().normalize());
  }

  /** The catalog's folder: absolute and normalized. */
  public Path dir() {
    return dir;
  }

  /**
   * Readies the folder for a Spark session in this process: creates it (saying so), checks that no
   * other process has the metastore open, and sends Derby's log to {@code derby.log} there unless
   * Derby's log was set already (a JVM-wide setting).
   *
   * @return the Spark settings that put the session's catalog here
   * @throws InferlakeException usage, when the folder cannot be created; run, when another process
   *     has the metastore open
   */
  public Map<String, String> open() {
    Path metastore = dir.resolve("metastore_db");
    if (!Files.isDirectory(metastore)) {
      LOG.info("new table catalog in {} (INFERLAKE_CATALOG_DIR chooses another)", dir);
    }
    try {
      // Derby writes its banner to the console when it cannot open its log file.
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InferlakeException(
          ErrorKind.USAGE,
          "cannot create the catalog folder " + dir + " (set INFERLAKE_CATALOG_DIR): " + e,
          e);
    }
    checkNotInUse();
    if (System.getProperty("derby.stream.error.file") == null
        && System.getProperty("derby.stream.error.field") == null) {
      System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
    }
    return Map.of(
        "spark.sql.catalogImplementation",
        "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL",
        "jdbc:derby:;databaseName=" + metastore + ";create=true",
        "spark.sql.warehouse.dir",
        dir.resolve("warehouse").toUri().toString());
  }

  /**
   * Fails when another process has the metastore open, instead of letting Hive retry for a while
   * and log every attempt's stack traces. Derby holds an exclusive lock on {@code dbex.lck} while a
   * process has the database booted; a lock file nobody holds is left from a process that ended.
   */
  void checkNotInUse() {
    Path lockFile = dir.resolve("metastore_db").resolve("dbex.lck");
    if (!Files.exists(lockFile)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock != null) {
        lock.release();
        return;
      }
    } catch (OverlappingFileLockException e) {
      return; // this process has it: Derby serves every session of one JVM
    } catch (IOException e) {
      // The check is a courtesy; when it cannot be made, Derby reports for itself.
      LOG.debug("cannot check the lock on {}", lockFile, e);
      return;
    }
    throw new InferlakeException(
        ErrorKind.RUN,
        "the catalog in "
            + dir
            + " is in use by another process (its embedded metastore serves one at a time): run"
            + " register and sql one after another, or set INFERLAKE_CATALOG_DIR to another"
            + " folder");
  }
}
