package dev.inferlake.driver.testing;

import dev.inferlake.driver.InferlakeCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in this JVM and captures what it printed. */
public record Cli(int exitCode, String out, String err) {
  /** Runs {@code inferlake args...} in this JVM, on its SparkSession where one is needed. */
  public static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = InferlakeCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** The last line on stderr: the one-line failure message. */
  public String errorLine() {
    String[] lines = err.strip().split("\n");
    return lines[lines.length - 1];
  }
}
