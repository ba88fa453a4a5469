package dev.inferlake.driver.internal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code inferlake bench ...}: benchmarks that print their figures side by side, in one run. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks measured side by side in one run; each prints a Markdown table.",
    subcommands = {CompressionBench.class, ScoringBench.class})
public final class BenchCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }
}
