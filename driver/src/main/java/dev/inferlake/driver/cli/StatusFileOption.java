package dev.inferlake.driver.cli;

import picocli.CommandLine.Option;

/**
 * {@code --status-file FILE|URI} for commands a scheduler runs in cluster deploy mode. The CLI
 * writes the file ({@link StatusFiles}); commands only declare the option. Used as a picocli
 * {@code @Mixin}.
 */
public final class StatusFileOption {
  @Option(
      names = StatusFiles.OPTION,
      paramLabel = "FILE|URI",
      description = {
        "Record how the command ended in this JSON file (a local path or a Hadoop URI), for",
        "cluster deploy mode, where spark-submit loses the exit code; check it with",
        "'inferlake status FILE|URI'."
      })
  String location;
}
