package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's {@code --help} prints its help and exits 0 (issue 23, item 5). */
class CliHelpTest {
  /** The argument paths of every command and subcommand, e.g. [model, register]. */
  static List<List<String>> commands(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(path);
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().aliases().length > 0
          && !e.getKey().equals(e.getValue().getCommandName())) {
        continue; // an alias of a command listed under its own name
      }
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      commands(e.getValue(), p, out);
    }
    return out;
  }

  @Test
  void everyCommandsHelpExitsZero() {
    List<List<String>> all =
        commands(new CommandLine(new InferlakeCli()), List.of(), new ArrayList<>());
    assertTrue(all.size() > 15, "every command found: " + all);
    List<String> failures = new ArrayList<>();
    for (List<String> path : all) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Cli r = Cli.run(args.toArray(new String[0]));
      if (r.exitCode() != 0 || !r.out().contains("Usage:")) {
        failures.add(String.join(" ", args) + " -> exit " + r.exitCode() + ": " + r.err().strip());
      }
    }
    assertEquals(List.of(), failures);
  }
}
