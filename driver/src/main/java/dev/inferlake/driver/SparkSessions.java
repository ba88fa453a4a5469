package dev.inferlake.driver;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the job's SparkSession. Under {@code spark-submit} the master and settings come from
 * there; run directly (the {@code scripts/inferlake} launcher, tests) it embeds a local Spark on
 * every core. Delta's SQL extension and catalog are set unless the user set them.
 */
public final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    return builder(appName).getOrCreate();
  }

  /**
   * A session with a persistent table catalog, for {@code register} and {@code sql}. Under
   * spark-submit it is the cluster's catalog. Embedded, it is Spark's Hive metastore on Derby in
   * {@link #catalogDir}, so tables registered by one command are there for the next, whatever the
   * current directory. Derby's log goes to {@code derby.log} there.
   *
   * @throws InferlakeException (usage) when the catalog folder cannot be created
   */
  public static SparkSession getOrCreateWithCatalog(String appName) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder b = builder(appName);
    if (!conf.contains("spark.master")) {
      Path root = catalogDir(System.getenv(), Path.of(System.getProperty("user.home")));
      if (!Files.isDirectory(root.resolve("metastore_db"))) {
        LOG.info("new table catalog in {} (INFERLAKE_CATALOG_DIR chooses another)", root);
      }
      try {
        // Derby writes its banner to the console when it cannot open its log file.
        Files.createDirectories(root);
      } catch (IOException e) {
        throw new InferlakeException(
            ErrorKind.USAGE,
            "cannot create the catalog folder " + root + " (set INFERLAKE_CATALOG_DIR): " + e,
            e);
      }
      if (System.getProperty("derby.stream.error.file") == null
          && System.getProperty("derby.stream.error.field") == null) {
        System.setProperty("derby.stream.error.file", root.resolve("derby.log").toString());
      }
      // A command that lasts seconds needs no web UI, nor a warning when its port is taken.
      setDefault(b, conf, "spark.ui.enabled", "false");
      b.config("spark.sql.catalogImplementation", "hive")
          .config(
              "spark.hadoop.javax.jdo.option.ConnectionURL",
              "jdbc:derby:;databaseName=" + root.resolve("metastore_db") + ";create=true")
          .config("spark.sql.warehouse.dir", root.resolve("warehouse").toUri().toString());
    }
    return b.getOrCreate();
  }

  /**
   * The embedded catalog's folder: {@code $INFERLAKE_CATALOG_DIR} when set (a relative path is
   * taken from the current directory), else {@code .inferlake/catalog} in the user's home.
   *
   * @param env the environment, e.g. {@link System#getenv()}
   * @param home the user's home folder
   * @return an absolute, normalized path
   */
  public static Path catalogDir(Map<String, String> env, Path home) {
    String dir = env.get("INFERLAKE_CATALOG_DIR");
    Path p =
        dir == null || dir.isBlank() ? home.resolve(".inferlake").resolve("catalog") : Path.of(dir);
    return p.toAbsolutePath().normalize();
  }

  private static SparkSession.Builder builder(String appName) {
    SparkConf conf = new SparkConf(); // picks up spark.* system properties from spark-submit
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (!conf.contains("spark.master")) {
      int cores = Runtime.getRuntime().availableProcessors();
      String parts = String.valueOf(Math.max(4, 2 * cores));
      b.master("local[*]")
          .config("spark.sql.shuffle.partitions", parts)
          .config("spark.databricks.delta.snapshotPartitions", parts)
          .config("spark.sql.session.timeZone", "UTC");
    }
    setDefault(b, conf, "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    setDefault(
        b,
        conf,
        "spark.sql.catalog.spark_catalog",
        "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    return b;
  }

  private static void setDefault(SparkSession.Builder b, SparkConf conf, String key, String value) {
    if (!conf.contains(key)) {
      b.config(key, value);
    }
  }
}
