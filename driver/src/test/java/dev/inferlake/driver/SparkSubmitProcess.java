package dev.inferlake.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Spark's own {@code SparkSubmit} in a separate JVM whose classpath holds only what a cluster
 * provides (Spark, Delta and their dependencies), submitting the packaged cluster jar: what {@code
 * spark-submit} does, without a Spark download.
 */
final class SparkSubmitProcess {
  record Result(int exit, String output) {}

  private SparkSubmitProcess() {}

  /** The JVM options Spark needs on Java 17, from {@code scripts/jvm.options}, on one line. */
  static String jvmOptionsLine() throws IOException {
    return String.join(
        " ",
        Files.readAllLines(Path.of(System.getProperty("inferlake.jvmOptions"))).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList());
  }

  /**
   * Runs {@code SparkSubmit} with {@code submitArgs} (master, deploy mode, confs), the jar, then
   * {@code appArgs}; working directory and temporary files in {@code dir}.
   */
  static Result submit(Path dir, List<String> submitArgs, List<String> appArgs)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("@" + System.getProperty("inferlake.jvmOptions"));
    cmd.add("-Djava.io.tmpdir=" + dir);
    cmd.add(
        "-Dlog4j2.configurationFile="
            + Path.of(System.getProperty("inferlake.jvmOptions"))
                .resolveSibling("log4j2-json.properties"));
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--class", InferlakeCli.class.getName()));
    cmd.addAll(List.of("--conf", "spark.ui.enabled=false"));
    cmd.addAll(List.of("--conf", "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension"));
    cmd.addAll(
        List.of(
            "--conf",
            "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog"));
    cmd.addAll(submitArgs);
    cmd.add(System.getProperty("inferlake.clusterJar"));
    cmd.addAll(appArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
    pb.environment()
        .put(
            "CLASSPATH",
            Files.readString(Path.of(System.getProperty("inferlake.clusterClasspath"))).trim());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Path log = dir.resolve("submit-" + System.nanoTime() + ".log");
    Process p = pb.redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          "spark-submit did not finish in 5 minutes: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
