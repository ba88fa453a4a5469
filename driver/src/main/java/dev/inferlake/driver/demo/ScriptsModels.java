package dev.inferlake.driver.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the committed models of {@code scripts/models} are, for the demos and benchmarks. */
public final class ScriptsModels {
  private ScriptsModels() {}

  /**
   * The first {@code scripts/models} folder holding {@code file}, from the working folder up.
   *
   * @param option the option that names the folder instead, for the message
   * @throws picocli.CommandLine.ParameterException when there is none
   */
  public static Path find(picocli.CommandLine.Model.CommandSpec spec, String file, String option) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("scripts").resolve("models");
      if (Files.isRegularFile(f.resolve(file))) {
        return f;
      }
    }
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "scripts/models/" + file + " not found from here up; pass " + option + " DIR");
  }
}
