package dev.inferlake.driver;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the job's SparkSession. Under {@code spark-submit} the master and settings come from
 * there; run directly (the {@code scripts/inferlake} launcher, tests) it embeds a local Spark on
 * every core. Delta's SQL extension and catalog are set unless the user set them.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    return builder(appName).getOrCreate();
  }

  /**
   * A session with a persistent table catalog, for {@code register} and {@code sql}. Under
   * spark-submit it is the cluster's catalog. Embedded, it is Spark's Hive metastore on Derby in
   * {@code $INFERLAKE_CATALOG_DIR} (default {@code ./inferlake-catalog}), so tables registered by
   * one command are there for the next.
   */
  public static SparkSession getOrCreateWithCatalog(String appName) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder b = builder(appName);
    if (!conf.contains("spark.master")) {
      String dir = System.getenv().getOrDefault("INFERLAKE_CATALOG_DIR", "inferlake-catalog");
      java.nio.file.Path root = java.nio.file.Path.of(dir).toAbsolutePath().normalize();
      System.setProperty("derby.stream.error.file", root.resolve("derby.log").toString());
      b.config("spark.sql.catalogImplementation", "hive")
          .config(
              "spark.hadoop.javax.jdo.option.ConnectionURL",
              "jdbc:derby:;databaseName=" + root.resolve("metastore_db") + ";create=true")
          .config("spark.sql.warehouse.dir", root.resolve("warehouse").toUri().toString());
    }
    return b.getOrCreate();
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
