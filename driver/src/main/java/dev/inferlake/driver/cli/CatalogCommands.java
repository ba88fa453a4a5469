package dev.inferlake.driver.cli;

import dev.inferlake.driver.SparkSessions;
import dev.inferlake.driver.session.SqlText;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import io.delta.tables.DeltaTable;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code register} and {@code sql}: prediction tables in the catalog, for analysts. */
public final class CatalogCommands {
  private static final Pattern TABLE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  private CatalogCommands() {}

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description = {
        "Registers a prediction table in the catalog (CREATE TABLE ... USING DELTA LOCATION), so",
        "analysts query it by name. Column comments come from the table; a table comment is set",
        "if the table has none."
      })
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
      if (name.contains(".")) {
        spark.sql("CREATE DATABASE IF NOT EXISTS " + name.substring(0, name.indexOf('.')));
      }
      spark.sql(
          "CREATE TABLE IF NOT EXISTS " + name + " USING DELTA LOCATION " + SqlText.literal(table));
      String current =
          DeltaTable.forPath(spark, table).detail().select("description").head().getString(0);
      if (current == null || current.isBlank()) {
        spark.sql("COMMENT ON TABLE " + name + " IS " + SqlText.literal(comment));
      }
      spec.commandLine().getOut().printf("registered %s -> %s%n", name, table);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "sql",
      mixinStandardHelpOptions = true,
      description =
          "Runs a SQL query on the embedded Spark (with the catalog and Delta) and prints the result.")
  public static final class Sql implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "QUERY")
    String query;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "Rows to print (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
      SparkSession spark = SparkSessions.getOrCreateWithCatalog("inferlake sql");
      Dataset<Row> result;
      try {
        result = spark.sql(query);
      } catch (Exception e) {
        // Spark's AnalysisException (and ParseException, a subclass) are checked but undeclared.
        if (e instanceof org.apache.spark.sql.AnalysisException) {
          throw new InferlakeException(
              ErrorKind.USAGE,
              "query failed: "
                  + e.getMessage()
                      .lines()
                      .map(String::strip)
                      .filter(l -> !l.isEmpty())
                      .findFirst()
                      .orElse(""),
              e);
        }
        throw e;
      }
      // Dataset.showString is package-private in Scala, public to Java: the same table `show`
      // prints.
      spec.commandLine().getOut().print(result.showString(limit, 0, false));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
