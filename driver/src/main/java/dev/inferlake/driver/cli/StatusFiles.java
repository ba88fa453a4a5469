package dev.inferlake.driver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.job.JobFiles;
import dev.inferlake.model.ErrorKind;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * {@code --status-file FILE|URI}: a small JSON file recording how a command ended, for where the
 * process exit code does not reach the scheduler. Under {@code spark-submit --deploy-mode cluster}
 * the driver's exit code is lost (standalone: spark-submit exits 0; YARN: 1 for any failure;
 * Kubernetes in Spark 3.5: 0), so the DAG's next task runs {@code inferlake status} on this file
 * and exits with the code the command exited with.
 *
 * <p>Written twice, each time atomically: {@code "state": "running"} when the command starts (so a
 * file left by an earlier attempt never passes for this one once its driver runs), then {@code
 * "state": "finished"} with {@code exit_code}, {@code kind} and the one-line {@code message}.
 */
public final class StatusFiles {
  public static final String OPTION = "--status-file";
  static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusFiles() {}

  /** A recorded outcome. */
  public record Status(
      String command,
      String state,
      Integer exitCode,
      String kind,
      String message,
      Instant startedAt,
      Instant finishedAt,
      String host) {

    public boolean finished() {
      return "finished".equals(state);
    }
  }

  /** Records that {@code command} started. */
  public static void started(String location, String command, List<String> args, Instant at)
      throws IOException {
    ObjectNode n = base(command, args, at);
    n.put("state", "running");
    JobFiles.writeAtomically(location, JSON.writeValueAsString(n) + "\n");
  }

  /** Records how {@code command} ended. */
  public static void finished(
      String location,
      String command,
      List<String> args,
      Instant startedAt,
      int exitCode,
      String message,
      Instant at)
      throws IOException {
    ObjectNode n = base(command, args, startedAt);
    n.put("state", "finished");
    n.put("exit_code", exitCode);
    n.put("kind", kindOf(exitCode));
    if (message != null) {
      n.put("message", message);
    }
    n.put("finished_at", at.toString());
    JobFiles.writeAtomically(location, JSON.writeValueAsString(n) + "\n");
  }

  /**
   * Reads a status file.
   *
   * @throws java.io.FileNotFoundException when there is none
   * @throws IOException when it cannot be read or is not a status file
   */
  public static Status read(String location) throws IOException {
    JsonNode n = JSON.readTree(JobFiles.readBytes(location, 1 << 20));
    if (n == null || !n.isObject() || n.path("format").asInt(-1) != FORMAT) {
      throw new IOException("it is not an inferlake status file (format " + FORMAT + ")");
    }
    return new Status(
        n.path("command").asText(null),
        n.path("state").asText(null),
        n.has("exit_code") ? n.get("exit_code").asInt() : null,
        n.path("kind").asText(null),
        n.path("message").asText(null),
        instant(n.path("started_at").asText(null)),
        instant(n.path("finished_at").asText(null)),
        n.path("host").asText(null));
  }

  private static ObjectNode base(String command, List<String> args, Instant startedAt) {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", FORMAT);
    n.put("command", command);
    n.putPOJO("args", args);
    n.put("started_at", startedAt.toString());
    n.put("host", host());
    return n;
  }

  private static String kindOf(int exitCode) {
    if (exitCode == 0) {
      return "OK";
    }
    for (ErrorKind k : ErrorKind.values()) {
      if (k.exitCode() == exitCode) {
        return k.name();
      }
    }
    return "UNKNOWN";
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
