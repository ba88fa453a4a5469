package dev.inferlake.driver.cli;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.ResolvedModel;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.partitioning.PartitionPlan;
import dev.inferlake.partitioning.TaskCost;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inferlake plan}: a run's pre-flight. Checks the job as {@code run} does before it scores
 * (every model resolved and verified, the input's schema against them, outputs), failing with the
 * same exit code and message, then prints how the input would be cut into tasks and how long
 * scoring would take, without scoring.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the job as 'run' would before scoring (models resolved and verified, input schema,",
      "feature mapping, outputs; the same exit codes), then prints its partition plan without",
      "running it: partitions, rows per partition (min/median/max), slots and waves, and the",
      "estimated time from the engine rate and per-task cost of the latest run of the same model",
      "versions. Plans from Parquet footers and Delta log statistics; of the input's rows it",
      "reads at most one (to tell an empty input). Ships no model and writes nothing."
    })
public final class PlanCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin JobOptions job;

  @Option(
      names = "--ds",
      paramLabel = "YYYY-MM-DD",
      description = "Run date to check as 'run --ds' would (default: today, UTC).")
  String ds;

  @Override
  public Integer call() {
    JobSpec jobSpec = job.load(List.of());
    LocalDate date = RunCommand.parseDs(ds, Clock.systemUTC());
    ScoringJob.PlanPreview p =
        new ScoringJob(
                SparkSessions.forJob("inferlake plan " + job.fileName(), jobSpec),
                Clock.systemUTC())
            .plan(jobSpec, date);
    print(spec.commandLine().getOut(), jobSpec, p);
    spec.commandLine().getOut().flush();
    return 0;
  }

  static void print(PrintWriter out, JobSpec jobSpec, ScoringJob.PlanPreview p) {
    PartitionPlan plan = p.planned().plan();
    JobSpec.Input in = p.spec().input();
    out.printf(
        "plan for %s (%s)%n",
        in.table() != null ? in.table() : in.path(),
        in.table() != null ? "table" : in.format() == null ? "parquet" : in.format());
    if (in.where() != null) {
      out.printf("  where          %s%n", in.where());
    }
    for (ResolvedModel m : p.models()) {
      out.printf(
          "  model          %s: %s, %s%n",
          m.spec().label(),
          shortDigest(m.manifest().sha256()),
          m.signer() == null ? "not signed" : "signed by trusted key " + m.signer());
    }
    out.printf("  cut by         %s%n", p.planned().source());
    if (plan == null) {
      out.printf("  partitions     %d%n", p.planned().rows().getNumPartitions());
      return;
    }
    out.printf(
        "  partitions     %d over %d %s slot(s): %d wave(s)%n",
        plan.size(), plan.slots().count(), plan.slots().kind(), plan.waves());
    out.printf("  rows           %,d%n", plan.totalRows());
    out.printf(
        "  per partition  min %,d / median %,d / max %,d (skew %.2f, limit %.2f)%n",
        plan.minRows(),
        (long) plan.medianRows(),
        plan.maxRows(),
        plan.skew(),
        jobSpec.partitioningOrDefault().maxSkewOrDefault());
    out.printf(
        "  rows per task  %,d (%s)%n", p.planner().rowsPerTask(), p.planner().rowsPerTaskSource());
    TaskCost cost = p.pilot().cost();
    if (cost == null) {
      out.printf("  estimated      unknown: %s%n", p.pilot().missing());
    } else {
      double s = plan.estimatedSeconds(cost);
      double taskSeconds = 0;
      for (PartitionPlan.Partition part : plan.partitions()) {
        taskSeconds += cost.taskSeconds(part.rows());
      }
      out.printf(
          "  estimated      %s of scoring at %,.0f rows/s a slot (latest run of these versions)%n",
          duration(s), taskSeconds > 0 ? plan.totalRows() / taskSeconds : 0.0);
      out.printf(
          "  measured       run %s (ds %s): %,d rows in %,d task(s); engine %,.0f rows/s, %.2f s a"
              + " task outside it%s%n",
          p.pilot().runId(),
          p.pilot().ds(),
          cost.pilotRows(),
          cost.pilotTasks(),
          cost.engineRowsPerSecond(),
          cost.fixedSecondsPerTask(),
          cost.sizesTasks()
              ? ""
              : String.format(
                  " (too few rows a task to size tasks by: %,d needed; a rough estimate)",
                  TaskCost.MIN_PILOT_ROWS_PER_TASK));
    }
    for (String n : plan.notes()) {
      out.printf("  note           %s%n", n);
    }
  }

  /** {@code sha256:} and the digest's first 12 hex digits: enough to tell versions apart. */
  private static String shortDigest(String digest) {
    return digest.length() > ModelDigest.PREFIX.length() + 12
        ? digest.substring(0, ModelDigest.PREFIX.length() + 12)
        : digest;
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return String.format("%.1f s", seconds);
    }
    return s >= 3600
        ? String.format("%d h %02d min", s / 3600, (s % 3600) / 60)
        : String.format("%d min %02d s", s / 60, s % 60);
  }
}
