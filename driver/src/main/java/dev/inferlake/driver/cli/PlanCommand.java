package dev.inferlake.driver.cli;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.partitioning.PartitionPlan;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code inferlake plan}: prints how a job's input would be cut into tasks, without scoring. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the job's partition plan without running it: partitions, rows per partition",
      "(min/median/max), slots and waves, and the estimated time at the rate of the latest run",
      "of the same model versions. Reads only Parquet footers and Delta log statistics."
    })
public final class PlanCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin JobOptions job;

  @Override
  public Integer call() {
    JobSpec jobSpec = job.load(List.of());
    ScoringJob.PlanPreview p =
        new ScoringJob(
                SparkSessions.getOrCreate("inferlake plan " + job.fileName()), Clock.systemUTC())
            .plan(jobSpec);
    print(spec.commandLine().getOut(), jobSpec, p);
    spec.commandLine().getOut().flush();
    return 0;
  }

  static void print(PrintWriter out, JobSpec jobSpec, ScoringJob.PlanPreview p) {
    PartitionPlan plan = p.planned().plan();
    out.printf("plan for %s (%s)%n", jobSpec.input().path(), jobSpec.format());
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
    if (p.rowsPerSecond() != null) {
      double s = plan.estimatedSeconds(p.rowsPerSecond());
      out.printf(
          "  estimated      %s of scoring at %,.0f rows/s a slot (latest run of these versions)%n",
          duration(s), p.rowsPerSecond());
    } else {
      out.printf(
          "  estimated      unknown: no earlier run of these versions in %s%n",
          jobSpec.output().runsTableOrDefault());
    }
    for (String n : plan.notes()) {
      out.printf("  note           %s%n", n);
    }
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
