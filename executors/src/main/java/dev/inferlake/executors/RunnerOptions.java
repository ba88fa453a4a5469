package dev.inferlake.executors;

import java.io.Serializable;
import java.util.Objects;

/**
 * How runners are created on executors.
 *
 * @param intraOpThreads threads one model run may use; follows {@code spark.task.cpus}
 * @param device where to run
 */
public record RunnerOptions(int intraOpThreads, Device device) implements Serializable {
  public RunnerOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
    }
    Objects.requireNonNull(device, "device");
  }
}
