package dev.inferlake.driver.compat;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/**
 * Checks at start that the Spark on the classpath is the line this build was compiled for, so a
 * cluster jar of one line on a cluster of the other fails with a message saying which jar to use,
 * not with a {@code NoSuchMethodError} in the middle of a run. What differs between the lines is in
 * {@link SparkCompat} (one source folder per line: {@code src/spark35/java}, {@code
 * src/spark4/java}).
 */
public final class SparkLine {
  private SparkLine() {}

  /**
   * This build's line: {@code spark35} or {@code spark4}, as in the cluster jar's name. Maven
   * filters it into version.properties, so the check below loads no class of either line (the Spark
   * 4 {@link SparkCompat} cannot even be loaded on Spark 3.5).
   */
  public static String line() {
    try (InputStream in =
        SparkLine.class.getResourceAsStream("/dev/inferlake/driver/version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String line = p.getProperty("spark.line", "");
        if (line.equals("spark4") || line.equals("spark35")) {
          return line;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    throw new IllegalStateException("version.properties names no Spark line: a broken build");
  }

  private static String description(String line) {
    return line.equals("spark4")
        ? "Spark 4 / Scala 2.13 / Delta 4"
        : "Spark 3.5 / Scala 2.12 / Delta 3.3";
  }

  private static boolean runsOn(String line, int major, int minor) {
    return line.equals("spark4") ? major == 4 : major == 3 && minor == 5;
  }

  /** The running Spark's version, as its jars state it; {@code unknown} when they do not. */
  public static String runningSparkVersion() {
    try (InputStream in =
        SparkSession.class.getClassLoader().getResourceAsStream("spark-version-info.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown").trim();
      }
    } catch (IOException e) {
      // fall through
    }
    return "unknown";
  }

  /**
   * Fails unless the running Spark can run this build.
   *
   * @throws InferlakeException (usage) naming the running Spark, this build's line and the jar to
   *     use instead
   */
  public static void requireRunningSpark() {
    requireSpark(runningSparkVersion());
  }

  /** Fails unless a Spark of {@code version} can run this build; an unreadable version passes. */
  public static void requireSpark(String version) {
    String[] parts = version.split("[.-]");
    int major;
    int minor;
    try {
      major = Integer.parseInt(parts[0]);
      minor = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    } catch (NumberFormatException e) {
      return; // unknown version: the jars on the classpath are all we can go by
    }
    String line = line();
    if (!runsOn(line, major, minor)) {
      String other = major >= 4 ? "spark4" : "spark35";
      throw new InferlakeException(
          ErrorKind.USAGE,
          "this inferlake build is for "
              + description(line)
              + " (the -"
              + line
              + "-cluster.jar), but Spark "
              + version
              + " runs here: use the -"
              + other
              + "-cluster.jar instead (built by `mvn -DskipTests package"
              + (other.equals("spark4") ? " -Pspark4" : "")
              + "`; README, \"Compatibility\")");
    }
  }

  /**
   * Fails when {@code spark} is a session this build cannot drive (on Spark 4: a Spark Connect
   * session).
   *
   * @throws InferlakeException (usage) naming the session and what to do
   */
  public static void requireSession(SparkSession spark) {
    try {
      SparkCompat.checkSession(spark);
    } catch (IllegalStateException e) {
      throw new InferlakeException(
          ErrorKind.USAGE,
          e.getMessage()
              + "; run inferlake with a classic session (unset spark.api.mode and spark.remote)",
          e);
    }
  }
}
