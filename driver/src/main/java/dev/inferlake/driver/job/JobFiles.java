package dev.inferlake.driver.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The small files a job reads and writes beside its tables: the job spec, trusted keys, the metrics
 * file, the status file and the report. A location with a scheme ({@code hdfs://nn/jobs/a.yaml},
 * {@code s3a://bucket/keys/release.pub.json}, {@code file:/tmp/x}) goes through Hadoop's {@code
 * FileSystem}, configured from the {@code spark.hadoop.*} settings the driver JVM was given; a
 * plain path is a file of the driver's own machine, relative to its working directory (where {@code
 * spark-submit --files} puts files in cluster mode). Writes are atomic: the content goes to a
 * hidden file beside the target, which is then renamed over it.
 */
public final class JobFiles {
  private static final String SPARK_HADOOP = "spark.hadoop.";
  private static final java.util.regex.Pattern URI_PREFIX =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/");

  private JobFiles() {}

  /**
   * Whether {@code location} names a Hadoop file system URI ({@code scheme:/...}) rather than a
   * path of this machine. Schemes of one letter are not schemes ({@code C:/}).
   */
  public static boolean isUri(String location) {
    return URI_PREFIX.matcher(location).lookingAt();
  }

  /** The location as messages show it: a local path made absolute, a URI as given. */
  public static String display(String location) {
    return isUri(location) ? location : Path.of(location).toAbsolutePath().toString();
  }

  /**
   * Reads a whole file as UTF-8.
   *
   * @throws FileNotFoundException when there is no file there
   * @throws IOException when it cannot be read
   */
  public static String readString(String location) throws IOException {
    return new String(readBytes(location, Integer.MAX_VALUE - 8), StandardCharsets.UTF_8);
  }

  /**
   * Reads a whole file, refusing one larger than {@code maxBytes}.
   *
   * @throws FileNotFoundException when there is no file there
   * @throws IOException when it cannot be read or is too large
   */
  public static byte[] readBytes(String location, long maxBytes) throws IOException {
    if (!isUri(location)) {
      Path p = Path.of(location);
      try {
        long size = Files.size(p);
        if (size > maxBytes) {
          throw new IOException("it is " + size + " bytes, over the " + maxBytes + "-byte limit");
        }
        return Files.readAllBytes(p);
      } catch (NoSuchFileException e) {
        throw new FileNotFoundException("no such file");
      }
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
    FileSystem fs = p.getFileSystem(configuration());
    long size = fs.getFileStatus(p).getLen();
    if (size > maxBytes) {
      throw new IOException("it is " + size + " bytes, over the " + maxBytes + "-byte limit");
    }
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }

  /** Whether a file exists there. */
  public static boolean exists(String location) throws IOException {
    if (!isUri(location)) {
      return Files.isRegularFile(Path.of(location));
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
    return p.getFileSystem(configuration()).isFile(p);
  }

  /** Writes {@code text} as UTF-8, atomically, creating missing parent folders. */
  public static void writeAtomically(String location, String text) throws IOException {
    writeAtomically(location, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes}, atomically, creating missing parent folders. */
  public static void writeAtomically(String location, byte[] bytes) throws IOException {
    if (!isUri(location)) {
      Path target = Path.of(location).toAbsolutePath();
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
      try {
        Files.createDirectories(target.getParent());
        Files.write(tmp, bytes);
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return;
    }
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(location);
    FileSystem fs = target.getFileSystem(configuration());
    org.apache.hadoop.fs.Path tmp =
        new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName() + ".tmp");
    try {
      fs.mkdirs(target.getParent());
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(bytes);
      }
      // Hadoop's rename does not replace: drop the old file first (readers see either the old
      // file, no file for a moment, or the new one; never a part of one).
      if (fs.exists(target) && !fs.delete(target, false)) {
        throw new IOException("cannot replace " + target);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }

  /**
   * Hadoop settings for files read before (or without) a Spark session: the JVM's {@code
   * spark.hadoop.*} properties (set by {@code spark-submit --conf}, in client and cluster mode)
   * over the running Spark session's Hadoop settings, or over Hadoop's own defaults and site files
   * when no session runs yet.
   */
  static Configuration configuration() {
    scala.Option<org.apache.spark.sql.SparkSession> session =
        org.apache.spark.sql.SparkSession.getDefaultSession();
    Configuration conf =
        session.isDefined()
            ? new Configuration(session.get().sparkContext().hadoopConfiguration())
            : new Configuration();
    for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
      String key = String.valueOf(e.getKey());
      if (key.startsWith(SPARK_HADOOP) && key.length() > SPARK_HADOOP.length()) {
        conf.set(key.substring(SPARK_HADOOP.length()), String.valueOf(e.getValue()));
      }
    }
    return conf;
  }
}
