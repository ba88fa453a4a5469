package dev.inferlake.driver.internal;

import dev.inferlake.driver.JobSpec;
import dev.inferlake.driver.JobSpecLoader;
import dev.inferlake.driver.ScoringJob;
import dev.inferlake.driver.SparkSessions;
import dev.inferlake.reports.RunSummary;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inferlake run}: runs a job spec. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Scores the job's input with every model version in it and writes the predictions for",
      "the run date to the output Delta table, replacing that date's rows of those versions."
    })
public final class RunCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job spec (YAML).")
  Path job;

  @Option(
      names = "--ds",
      paramLabel = "YYYY-MM-DD",
      description = "Run date; its partition is replaced on rerun (default: today, UTC).")
  String ds;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a job-spec value, e.g. --set batch_size=512 --set models.0.path=/m.onnx")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    JobSpec jobSpec = JobSpecLoader.load(job, overrides);
    LocalDate date = parseDs(ds, Clock.systemUTC());
    RunSummary summary =
        new ScoringJob(
                SparkSessions.getOrCreate("inferlake run " + job.getFileName()), Clock.systemUTC())
            .run(jobSpec, date);
    spec.commandLine().getOut().print(summary.render());
    spec.commandLine().getOut().flush();
    return 0;
  }

  static LocalDate parseDs(String value, Clock clock) {
    if (value == null) {
      return LocalDate.now(clock);
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw JobErrors.badDate(value);
    }
  }
}
