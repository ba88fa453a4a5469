package dev.inferlake.executors;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.util.Locale;

/** Where a model runs. */
public enum Device {
  /** The executor's CPU cores. */
  CPU,
  /** The GPU Spark assigned to the task; falls back to CPU with one warning when there is none. */
  GPU,
  /**
   * Like {@link #GPU}, but a missing GPU or CUDA provider fails the job instead of falling back.
   */
  GPU_REQUIRED;

  /** The spelling used in job specs: {@code cpu}, {@code gpu}, {@code gpu-required}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a job-spec value.
   *
   * @throws InferlakeException of kind {@link ErrorKind#USAGE} naming the accepted values
   */
  public static Device parse(String value) {
    for (Device d : values()) {
      if (d.specName().equals(value)) {
        return d;
      }
    }
    throw new InferlakeException(
        ErrorKind.USAGE, "device '" + value + "' is not one of cpu, gpu, gpu-required");
  }
}
