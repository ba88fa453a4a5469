package dev.inferlake.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inferlake.driver.session.SqlScript;
import dev.inferlake.driver.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sql}'s checks before it starts Spark; running statements is in LauncherSubmitIT. */
class SqlCommandTest {
  @TempDir Path dir;

  @Test
  void needsSqlOrAFile() {
    Cli r = Cli.run("sql");
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("inferlake: give SQL, or -f FILE (see 'inferlake sql --help')", r.errorLine());
  }

  @Test
  void aFileThatCannotBeReadIsAUsageError() {
    String missing = dir.resolve("missing.sql").toString();
    Cli r = Cli.run("sql", "-f", missing);
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(
        "inferlake: cannot read -f " + missing + ": java.nio.file.NoSuchFileException: " + missing,
        r.errorLine());
  }

  @Test
  void onlyEmptyStatementsAreAUsageError() {
    Cli r = Cli.run("sql", " ; -- nothing; here\n;");
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("inferlake: no SQL statement to run", r.errorLine());
  }

  @Test
  void aFailedStatementIsNamedByItsNumberAndForAFileItsLine() {
    SqlScript.Statement st = new SqlScript.Statement(4, "SELECT 2");
    assertEquals("statement 2", new CatalogCommands.Sql.Script(null, List.of()).name(1, st));
    assertEquals(
        "statement 2 in q.sql (line 4)",
        new CatalogCommands.Sql.Script("q.sql", List.of()).name(1, st));
  }

  @Test
  void anOkLineNamesTheStatementOnOneShortLine() {
    assertEquals("DROP TABLE t", CatalogCommands.Sql.brief("  DROP\n  TABLE\tt \n"));
    String longer = "COMMENT ON TABLE analytics.predictions IS 'scored nightly by the 03:00 run'";
    assertEquals(
        "COMMENT ON TABLE analytics.predictions IS 'scored nightly...",
        CatalogCommands.Sql.brief(longer));
  }
}
