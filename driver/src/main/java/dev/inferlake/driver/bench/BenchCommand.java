package dev.inferlake.driver.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code inferlake bench ...}: benchmarks that print their figures side by side, in one run. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks measured side by side in one run; each prints a Markdown table.",
    subcommands = {
      CompressionBench.class,
      ImageBench.class,
      IncrementalBench.class,
      ScoringBench.class,
      TextBench.class,
      TypesBench.class
    })
public final class BenchCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Prints a benchmark's Markdown table and writes it to {@code out/name}. */
  static void publish(
      picocli.CommandLine.Model.CommandSpec command, java.nio.file.Path out, String name, String md)
      throws java.io.IOException {
    java.nio.file.Files.createDirectories(out);
    java.nio.file.Path file = out.resolve(name);
    java.nio.file.Files.writeString(file, md);
    java.io.PrintWriter o = command.commandLine().getOut();
    o.print(md);
    o.printf("wrote %s%n", file.toAbsolutePath());
    o.flush();
  }

  /** The median of timed passes (the mean of the middle two for an even count). */
  static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }
}
