package dev.inferlake.driver;

import dev.inferlake.driver.cli.StatusFiles;
import dev.inferlake.driver.job.JobFiles;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the {@code --status-file} of one CLI invocation: "running" before the command runs,
 * "finished" with its exit code and line after. Found in the raw arguments, so that a mistyped
 * option (exit 2) is recorded too.
 */
final class StatusRecorder {
  private final String location;
  private final String command;
  private final List<String> args;
  private final PrintWriter err;
  private final Instant startedAt = Instant.now();
  private boolean broken;

  private StatusRecorder(String location, String command, List<String> args, PrintWriter err) {
    this.location = location;
    this.command = command;
    this.args = args;
    this.err = err;
  }

  /** The recorder for {@code args}, or null when they name no status file. */
  static StatusRecorder of(String[] args, PrintWriter err) {
    String location = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(StatusFiles.OPTION) && i + 1 < args.length) {
        location = args[i + 1];
      } else if (args[i].startsWith(StatusFiles.OPTION + "=")) {
        location = args[i].substring(StatusFiles.OPTION.length() + 1);
      }
    }
    if (location == null || location.isBlank()) {
      return null;
    }
    String command = args.length > 0 && !args[0].startsWith("-") ? args[0] : "inferlake";
    return new StatusRecorder(location, command, Arrays.asList(args), err);
  }

  /**
   * Records that the command started.
   *
   * @throws InferlakeException RUN when the file cannot be written: a run whose outcome cannot be
   *     recorded would look lost to the scheduler, so it does not start
   */
  void started() {
    try {
      StatusFiles.started(location, command, args, startedAt);
    } catch (IOException | RuntimeException e) {
      broken = true;
      throw new InferlakeException(
          ErrorKind.RUN,
          "the status file " + JobFiles.display(location) + " cannot be written: " + e,
          e);
    }
  }

  /** Records the outcome; returns the exit code, 5 when a successful command's cannot be. */
  int finished(int code, String message) {
    if (broken) {
      return code;
    }
    try {
      StatusFiles.finished(
          location, command, args, startedAt, code, code == 0 ? null : message, Instant.now());
      return code;
    } catch (IOException | RuntimeException e) {
      err.println(
          "inferlake: the status file " + JobFiles.display(location) + " cannot be written: " + e);
      err.flush();
      return code == 0 ? ErrorKind.RUN.exitCode() : code;
    }
  }
}
