package dev.inferlake.driver.cli;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.compat.SparkCompat;
import dev.inferlake.driver.session.SqlScript;
import dev.inferlake.driver.session.SqlText;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code register} and {@code sql}: prediction tables in the catalog, for analysts. */
public final class CatalogCommands {
  private static final Pattern TABLE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  /** Where the catalog is, for both commands' help. */
  static final String CATALOG_HELP =
      "The catalog: run embedded, Spark's Hive metastore (Derby, one process at a time) in"
          + " $INFERLAKE_CATALOG_DIR, by default ~/.inferlake/catalog; under spark-submit, the"
          + " cluster's catalog.";

  private CatalogCommands() {}

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description =
          "Registers a prediction table in the catalog (CREATE TABLE ... USING DELTA LOCATION), so"
              + " analysts query it by name. Column comments come from the table; a table comment"
              + " is set if the table has none. Registering a table again changes nothing.",
      footer = {"", CATALOG_HELP})
  public static final class Register implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--table",
        required = true,
        paramLabel = "PATH",
        description = "The Delta table's location.")
    String table;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "[DB.]NAME",
        description = "Catalog name.")
    String name;

    @Option(
        names = "--comment",
        defaultValue =
            "Model predictions written by inferlake; one row per key, model version and run date (ds).",
        description = "Table comment, when the table has none.")
    String comment;

    @Override
    public Integer call() {
      if (!TABLE_NAME.matcher(name).matches()) {
        throw new InferlakeException(
            ErrorKind.USAGE,
            "--name '" + name + "' is not a table name ([db.]name, letters, digits, _)");
      }
      SparkSession spark = SparkSessions.getOrCreateWithCatalog("inferlake register");
      if (!DeltaTable.isDeltaTable(spark, table)) {
        throw new InferlakeException(ErrorKind.INPUT, table + " is not a Delta table");
      }
      Row detail = DeltaTable.forPath(spark, table).detail().head();
      String location = detail.getAs("location");
      boolean exists = spark.catalog().tableExists(name);
      if (exists) {
        Row registered = spark.sql("DESCRIBE DETAIL " + name).head();
        String format = registered.getAs("format");
        String at = registered.getAs("location");
        if (!"delta".equals(format) || !location.equals(at)) {
          String what = "delta".equals(format) ? "" : " as a " + format + " table";
          throw new InferlakeException(
              ErrorKind.USAGE,
              String.format(
                  "%s is registered already%s, for %s, not %s: choose another --name, or DROP"
                      + " TABLE %s first",
                  name, what, at, location, name));
        }
      } else {
        if (name.contains(".")) {
          spark.sql("CREATE DATABASE IF NOT EXISTS " + name.substring(0, name.indexOf('.')));
        }
        // Registers the table in the metastore; the Delta table gets no commit.
        spark.sql("CREATE TABLE " + name + " USING DELTA LOCATION " + SqlText.literal(table));
      }
      String current = detail.getAs("description");
      if (current == null || current.isBlank()) {
        spark.sql("COMMENT ON TABLE " + name + " IS " + SqlText.literal(comment));
      }
      spec.commandLine()
          .getOut()
          .printf("%s %s -> %s%n", exists ? "already registered" : "registered", name, table);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "sql",
      mixinStandardHelpOptions = true,
      description = {
        "Runs SQL statements on the embedded Spark (with the catalog and Delta) and prints each"
            + " result.",
        "",
        "Statements are separated by ';' (one inside quotes, backquotes or a comment is no"
            + " separator) and run in order: the files of -f first, then SQL. A statement that"
            + " returns no columns (CREATE, DROP, COMMENT, ...) prints 'ok: ' and its text. The"
            + " first statement that fails ends the run; an error in the SQL is exit 2, naming the"
            + " statement.",
        ""
      },
      footer = {"", CATALOG_HELP})
  public static final class Sql implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Sql.class);

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SQL", arity = "0..1", description = "Statements, separated by ';'.")
    String sql;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "A file of statements ('-' reads standard input). Repeatable.")
    List<String> files = new ArrayList<>();

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "Rows to print per result (default: ${DEFAULT-VALUE}).")
    int limit;

    /** Statements from one place: a file named by -f, or the SQL argument ({@code file} null). */
    record Script(String file, List<SqlScript.Statement> statements) {
      /** How a failure names statement {@code i} (0-based) of this script. */
      String name(int i, SqlScript.Statement st) {
        return file == null
            ? "statement " + (i + 1)
            : "statement " + (i + 1) + " in " + file + " (line " + st.line() + ")";
      }
    }

    @Override
    public Integer call() {
      if (sql == null && files.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "give SQL, or -f FILE");
      }
      List<Script> scripts = new ArrayList<>();
      for (String f : files) {
        String name = f.equals("-") ? "standard input" : f;
        scripts.add(new Script(name, SqlScript.split(read(f))));
      }
      if (sql != null) {
        scripts.add(new Script(null, SqlScript.split(sql)));
      }
      int total = scripts.stream().mapToInt(s -> s.statements().size()).sum();
      if (total == 0) {
        throw new InferlakeException(ErrorKind.USAGE, "no SQL statement to run");
      }
      SparkSession spark = SparkSessions.getOrCreateWithCatalog("inferlake sql");
      PrintWriter out = spec.commandLine().getOut();
      for (Script script : scripts) {
        for (int i = 0; i < script.statements().size(); i++) {
          SqlScript.Statement st = script.statements().get(i);
          try {
            run(spark, st.text(), out);
          } catch (Exception e) {
            throw failure(total == 1 ? "query" : script.name(i, st), e);
          }
        }
      }
      return 0;
    }

    private void run(SparkSession spark, String statement, PrintWriter out) {
      Dataset<Row> result = spark.sql(statement); // commands run here, queries when shown
      if (result.schema().isEmpty()) {
        out.println("ok: " + brief(statement));
      } else {
        // The table `show` prints (Dataset.showString: package-private in Scala, see SparkCompat).
        out.print(SparkCompat.showString(result, limit, 0));
      }
      out.flush();
    }

    private static String read(String file) {
      try {
        return file.equals("-")
            ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(Path.of(file));
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new InferlakeException(ErrorKind.USAGE, "cannot read -f " + file + ": " + e, e);
      }
    }

    /**
     * The one-line error for a failed statement. An error in the SQL (analysis, parse, or a data
     * error such as a division by zero: SQLSTATE class 42 or 22) is a usage error; anything else is
     * a run failure, logged with its trace.
     */
    private static InferlakeException failure(String which, Exception e) {
      InferlakeException own = InferlakeException.findIn(e);
      if (own != null) {
        return new InferlakeException(own.kind(), which + " failed: " + own.getMessage(), e);
      }
      for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
        if (c instanceof AnalysisException || isSqlError(c)) {
          return new InferlakeException(
              ErrorKind.USAGE, which + " failed: " + firstLine(c.getMessage()), e);
        }
      }
      LOG.error("{} failed", which, e);
      return new InferlakeException(
          ErrorKind.RUN, which + " failed: " + InferlakeException.rootMessage(e), e);
    }

    private static boolean isSqlError(Throwable t) {
      if (!(t instanceof SparkThrowable st) || st.getSqlState() == null) {
        return false;
      }
      return st.getSqlState().startsWith("42") || st.getSqlState().startsWith("22");
    }

    private static String firstLine(String message) {
      return message == null
          ? ""
          : message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }

    /** A statement on one line, shortened: what an 'ok' line names. */
    static String brief(String statement) {
      String line = statement.strip().replaceAll("\\s+", " ");
      int max = 60;
      return line.codePointCount(0, line.length()) <= max
          ? line
          : line.substring(0, line.offsetByCodePoints(0, max - 3)).stripTrailing() + "...";
    }
  }
}
