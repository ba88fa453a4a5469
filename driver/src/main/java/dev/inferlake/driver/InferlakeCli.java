package dev.inferlake.driver;

import dev.inferlake.driver.cli.RunCommand;
import dev.inferlake.driver.demo.DemoCommand;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code inferlake} command. Exit codes: 0 success; 2 usage or job-spec error; 3 input or
 * schema error; 4 model error; 5 run failure; 6 a version failed its report thresholds. A failure
 * prints one line on stderr saying what failed and where.
 */
@Command(
    name = "inferlake",
    mixinStandardHelpOptions = true,
    versionProvider = InferlakeCli.Version.class,
    description = "Batch inference on Spark: score datasets with ONNX models into Delta tables.",
    subcommands = {
      RunCommand.class,
      dev.inferlake.driver.cli.PlanCommand.class,
      DemoCommand.class,
      dev.inferlake.driver.cli.ReportCommand.class,
      dev.inferlake.driver.cli.ModelCommand.class,
      dev.inferlake.driver.cli.CatalogCommands.Register.class,
      dev.inferlake.driver.cli.CatalogCommands.Sql.class,
      dev.inferlake.driver.cli.StatusCommand.class,
      dev.inferlake.driver.bench.BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  2  usage or job-spec error",
      "  3  input or schema error",
      "  4  model error",
      "  5  run failure",
      "  6  a model version failed its report thresholds (report --fail-on-threshold)"
    })
public final class InferlakeCli implements Runnable {
  /**
   * Failures with their traces, for the log file (its name is outside dev.inferlake: no console).
   */
  private static final org.slf4j.Logger TRACE =
      org.slf4j.LoggerFactory.getLogger("inferlake.failure");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Entry point for {@code java}, {@code spark-submit} and the launcher. */
  public static void main(String[] args) {
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }

  /**
   * Runs the CLI in this JVM (reusing an active SparkSession if there is one) and returns the exit
   * code instead of exiting.
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new InferlakeCli());
    cl.setOut(out);
    cl.setErr(err);
    String[] failure = {null};
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          CommandLine c = ex.getCommandLine();
          failure[0] = ex.getMessage();
          c.getErr()
              .println(
                  "inferlake: "
                      + ex.getMessage()
                      + " (see '"
                      + c.getCommandSpec().qualifiedName()
                      + " --help')");
          return ErrorKind.USAGE.exitCode();
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          InferlakeException ie = InferlakeException.findIn(ex);
          // The trace goes to the log (a file, under the launcher), never between the user and
          // the one line saying what failed.
          TRACE.error("inferlake failed", ex);
          String log = System.getProperty("inferlake.log.file");
          // usage errors are about what was typed: no trace worth a look
          boolean usage = ie != null && ie.kind() == ErrorKind.USAGE;
          if (!usage
              && log != null
              && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(log))) {
            c.getErr().println("inferlake: details and stack traces in " + log);
          }
          if (ie != null) {
            failure[0] = ie.getMessage();
            c.getErr().println("inferlake: " + ie.getMessage());
            return ie.kind().exitCode();
          }
          failure[0] = "run failed: " + InferlakeException.rootMessage(ex);
          c.getErr().println("inferlake: " + failure[0]);
          return ErrorKind.RUN.exitCode();
        });
    StatusRecorder status = StatusRecorder.of(args, err);
    if (status != null) {
      cl.setExecutionStrategy(
          parsed -> {
            try {
              status.started();
            } catch (InferlakeException e) {
              // through the execution handler: one line, exit 5
              throw new CommandLine.ExecutionException(cl, e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parsed);
          });
    }
    int code = cl.execute(args);
    return status == null ? code : status.finished(code, failure[0]);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Prints framework, Spark and Java versions. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "inferlake " + Versions.inferlake(),
        "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION(),
        "Java " + System.getProperty("java.version")
      };
    }
  }
}
