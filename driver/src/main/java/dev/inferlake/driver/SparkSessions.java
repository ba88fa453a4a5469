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
    return b.getOrCreate();
  }

  private static void setDefault(SparkSession.Builder b, SparkConf conf, String key, String value) {
    if (!conf.contains(key)) {
      b.config(key, value);
    }
  }
}
