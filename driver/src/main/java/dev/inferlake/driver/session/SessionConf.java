package dev.inferlake.driver.session;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/** A Spark SQL setting changed for one piece of work, then put back as it was (or unset). */
public final class SessionConf {
  private SessionConf() {}

  /** Runs {@code work} with {@code key} set to {@code value}; restores the key afterwards. */
  public static <T> T with(SparkSession spark, String key, String value, Supplier<T> work) {
    Option<String> before = spark.conf().getOption(key);
    spark.conf().set(key, value);
    try {
      return work.get();
    } finally {
      if (before.isDefined()) {
        spark.conf().set(key, before.get());
      } else {
        spark.conf().unset(key);
      }
    }
  }

  /** The setting's current value as an int, or {@code otherwise} when it is not set. */
  public static int intOr(SparkSession spark, String key, int otherwise) {
    Option<String> v = spark.conf().getOption(key);
    return v.isDefined() ? Integer.parseInt(v.get().trim()) : otherwise;
  }
}
