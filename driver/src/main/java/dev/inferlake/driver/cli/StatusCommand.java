package dev.inferlake.driver.cli;

import dev.inferlake.driver.job.JobFiles;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code inferlake status FILE|URI}: exits with the exit code a command recorded in its {@code
 * --status-file}, printing its one line. Starts no Spark session.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Exit with the code a 'run' or 'report' recorded in its --status-file, and print its line.",
      "For cluster deploy mode, where spark-submit does not return the driver's exit code.",
      "A missing file, or a run that never finished, exits 5."
    })
public final class StatusCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "FILE|URI",
      description = "The status file (a local path or a Hadoop URI).")
  String location;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description = {
        "Wait up to this long for the command to finish (the file to appear and say finished),",
        "checking every 5 s, e.g. after a fire-and-forget submission (default: ${DEFAULT-VALUE})."
      })
  long waitSeconds;

  @Override
  public Integer call() throws InterruptedException {
    if (waitSeconds < 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--wait must be >= 0");
    }
    long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
    String where = JobFiles.display(location);
    while (true) {
      StatusFiles.Status s = null;
      String missing = null;
      try {
        s = StatusFiles.read(location);
      } catch (FileNotFoundException e) {
        missing = "no status file at " + where;
      } catch (IOException | RuntimeException e) {
        throw new InferlakeException(
            ErrorKind.RUN, "status file " + where + " cannot be read: " + e.getMessage(), e);
      }
      if (s != null && s.finished()) {
        return report(s, where);
      }
      if (System.nanoTime() >= deadline) {
        throw new InferlakeException(
            ErrorKind.RUN,
            missing != null
                ? missing
                    + ": the driver never started or could not write it (see spark-submit's"
                    + " output and the cluster's driver log)"
                : "'"
                    + s.command()
                    + "' started at "
                    + s.startedAt()
                    + " on "
                    + s.host()
                    + " and has not finished ("
                    + where
                    + "): it still runs, or its driver died (see the cluster's driver log)");
      }
      Thread.sleep(Math.min(5_000L, Math.max(1L, (deadline - System.nanoTime()) / 1_000_000L)));
    }
  }

  private int report(StatusFiles.Status s, String where) {
    int code = s.exitCode() == null ? ErrorKind.RUN.exitCode() : s.exitCode();
    if (code == 0) {
      spec.commandLine()
          .getOut()
          .printf(
              "'%s' succeeded at %s on %s (%s)%n", s.command(), s.finishedAt(), s.host(), where);
      spec.commandLine().getOut().flush();
      return 0;
    }
    spec.commandLine()
        .getErr()
        .printf(
            "inferlake: '%s' failed with exit %d at %s on %s: %s%n",
            s.command(),
            code,
            s.finishedAt(),
            s.host(),
            s.message() == null ? "(no message)" : s.message());
    spec.commandLine().getErr().flush();
    return code;
  }
}
