package dev.inferlake.driver.cli;

import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command that reads a job spec shares: {@code --job FILE} and repeatable {@code
 * --set KEY=VALUE} overrides. Used as a picocli {@code @Mixin}.
 */
public final class JobOptions {
  @Option(
      names = "--job",
      required = true,
      paramLabel = "FILE|URI",
      description = "Job spec (YAML): a local file, or a Hadoop URI (hdfs://..., s3a://...).")
  String job;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = {
        "Override a job-spec value (repeatable), e.g. --set batch_size=512",
        "--set models.0.path=/m.onnx --set partitioning.rows_per_task=500000"
      })
  List<String> overrides = new ArrayList<>();

  /**
   * Loads and validates the job spec with the {@code --set} overrides, then {@code extra} ones.
   *
   * @throws dev.inferlake.model.InferlakeException USAGE naming the file, key or value at fault
   */
  public JobSpec load(List<String> extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(extra);
    return JobSpecLoader.load(job, all);
  }

  /** The job file's name, for the Spark application name. */
  public String fileName() {
    String name = job.endsWith("/") ? job.substring(0, job.length() - 1) : job;
    return name.substring(name.lastIndexOf('/') + 1);
  }
}
