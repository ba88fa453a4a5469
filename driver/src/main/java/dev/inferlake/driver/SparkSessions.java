package dev.inferlake.driver;

import dev.inferlake.driver.compat.SparkLine;
import dev.inferlake.driver.session.EmbeddedCatalog;
import dev.inferlake.driver.sql.InferlakeSqlExtensions;
import dev.inferlake.driver.sql.PredictFunction;
import dev.inferlake.model.InferlakeException;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the job's SparkSession. Under {@code spark-submit} the master and settings come from
 * there; run directly (the {@code scripts/inferlake} launcher, tests) it embeds a local Spark on
 * every core. Delta's SQL extension and catalog are set unless the user set them, and inferlake's
 * SQL functions ({@code inferlake_predict}) are registered either way.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    return withFunctions(builder(appName).getOrCreate());
  }

  /**
   * Registers inferlake's SQL functions ({@code inferlake_predict}) in {@code spark}, also when
   * {@code spark.sql.extensions} was set without {@link InferlakeSqlExtensions}.
   */
  private static SparkSession withFunctions(SparkSession spark) {
    SparkLine.requireSession(spark);
    PredictFunction.register(spark);
    return spark;
  }

  /**
   * The session for running {@code job}: with the persistent table catalog ({@link
   * #getOrCreateWithCatalog}) when the job names catalog tables, else a plain one.
   */
  public static SparkSession forJob(String appName, dev.inferlake.driver.job.JobSpec job) {
    return dev.inferlake.driver.job.CatalogTables.usesCatalog(job)
        ? getOrCreateWithCatalog(appName)
        : getOrCreate(appName);
  }

  /**
   * A session with a persistent table catalog, for {@code register} and {@code sql}. Under
   * spark-submit it is the cluster's catalog. Embedded, it is the {@link EmbeddedCatalog} that the
   * environment names, so tables registered by one command are there for the next, whatever the
   * current directory.
   *
   * @throws InferlakeException when the embedded catalog cannot be opened (see {@link
   *     EmbeddedCatalog#open})
   */
  public static SparkSession getOrCreateWithCatalog(String appName) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder b = builder(appName);
    if (!conf.contains("spark.master")) {
      EmbeddedCatalog catalog =
          EmbeddedCatalog.locate(System.getenv(), Path.of(System.getProperty("user.home")));
      catalog.open().forEach(b::config);
      // A command that lasts seconds needs no web UI, nor a warning when its port is taken.
      setDefault(b, conf, "spark.ui.enabled", "false");
    }
    return withFunctions(b.getOrCreate());
  }

  private static SparkSession.Builder builder(String appName) {
    // Before anything else touches Spark: a cluster jar of the other Spark line fails here.
    SparkLine.requireRunningSpark();
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
    setDefault(
        b,
        conf,
        "spark.sql.extensions",
        "io.delta.sql.DeltaSparkSessionExtension," + InferlakeSqlExtensions.class.getName());
    // Spark 4 turned ANSI mode on by default; inferlake's SQL keeps Spark 3.5's semantics on both
    // lines (a cluster that sets it explicitly keeps its setting).
    setDefault(b, conf, "spark.sql.ansi.enabled", "false");
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
