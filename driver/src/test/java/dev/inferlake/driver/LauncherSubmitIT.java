package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher users run, {@code scripts/inferlake}, as a separate process each time: a demo, then
 * the analysts' commands against the embedded metastore, which must keep a registered table from
 * one process to the next, with nothing on the console but the commands' own lines.
 */
class LauncherSubmitIT {
  @TempDir Path dir;

  record Result(int exit, String out) {}

  Result launch(String... args) throws Exception {
    Path root = Path.of(System.getProperty("inferlake.jvmOptions")).getParent().getParent();
    List<String> cmd = new ArrayList<>(List.of(root.resolve("scripts/inferlake").toString()));
    cmd.addAll(List.of(args));
    Path log = dir.resolve("launch-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("INFERLAKE_SKIP_BUILD", "1"); // the build under test, never a rebuild
    pb.environment().put("INFERLAKE_SPARK", System.getProperty("inferlake.spark", "3.5"));
    pb.environment().put("INFERLAKE_CATALOG_DIR", dir.resolve("catalog").toString());
    Process p = pb.redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("launcher did not finish: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  @Test
  void demoThenRegisterThenSqlInSeparateProcesses() throws Exception {
    Result demo =
        launch("demo", "--rows", "2000", "--train-rows", "1000", "--no-baseline", "--dir", "lake");
    assertEquals(0, demo.exit(), demo.out());
    assertTrue(demo.out().contains("2,000 rows x 2 model version(s)"), demo.out());
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(l -> l.matches("scoring: (\\d+)/\\1 tasks done, 2,000 input rows in .*")),
        demo.out());

    // a copy taken before registration, so its table has no comment yet
    copyTree(dir.resolve("lake/predictions"), dir.resolve("odd 'dir\\"));

    Result reg =
        launch(
            "register",
            "--table",
            dir.resolve("lake/predictions").toString(),
            "--name",
            "analytics.preds");
    assertEquals(0, reg.exit(), reg.out());

    Result counts =
        launch(
            "sql",
            "SELECT model_version, count(*) AS n FROM analytics.preds GROUP BY model_version ORDER BY model_version");
    assertEquals(0, counts.exit(), counts.out());
    assertTrue(counts.out().contains("|fm-1         |2000|"), counts.out());
    assertTrue(counts.out().contains("|lr-1         |2000|"), counts.out());

    Result described = launch("sql", "DESCRIBE TABLE EXTENDED analytics.preds", "--limit", "200");
    assertEquals(0, described.exit(), described.out());
    assertTrue(
        described.out().contains("sha256 of the model bytes scored"),
        "column comment: " + described.out());
    assertTrue(
        described.out().contains("Model predictions written by inferlake"),
        "table comment: " + described.out());

    // a location and a comment that end a naively quoted literal
    Path odd = dir.resolve("odd 'dir\\");
    String comment = "it's scored nightly \\";
    Result quoted =
        launch(
            "register", "--table", odd.toString(), "--name", "analytics.odd", "--comment", comment);
    assertEquals(0, quoted.exit(), quoted.out());
    Result oddRows = launch("sql", "SELECT count(*) AS n FROM analytics.odd");
    assertEquals(0, oddRows.exit(), oddRows.out());
    assertTrue(oddRows.out().contains("|4000|"), oddRows.out());
    Result oddComment = launch("sql", "DESCRIBE TABLE EXTENDED analytics.odd", "--limit", "200");
    assertTrue(oddComment.out().contains(comment), oddComment.out());

    aBadRowFailsTheRunWithOneLineAndTheTracesInTheLogFile();

    Result bad = launch("sql", "SELEC 1");
    assertEquals(2, bad.exit(), bad.out());
    String last = bad.out().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("inferlake: query failed: [PARSE_SYNTAX_ERROR]"), last);

    // Registering again changes nothing: no commit to the prediction table, and on the console
    // only the command's own line (no Derby banner, no metastore warnings).
    Path deltaLog = dir.resolve("lake/predictions/_delta_log");
    List<String> commits = commits(deltaLog);
    Result again =
        launch(
            "register",
            "--table",
            dir.resolve("lake/predictions").toString(),
            "--name",
            "analytics.preds");
    assertEquals(0, again.exit(), again.out());
    assertEquals(
        List.of("already registered analytics.preds -> " + dir.resolve("lake/predictions")),
        again.out().lines().toList());
    assertEquals(commits, commits(deltaLog));

    // Several statements from a file and the argument, in order; DDL prints an 'ok' line, not an
    // empty table; the first failure ends the run, naming its statement.
    Files.writeString(
        dir.resolve("counts.sql"),
        """
        -- a ';' in a literal, a name or a comment is no separator
        CREATE OR REPLACE TEMPORARY VIEW `per;version` AS
          SELECT model_version, count(*) AS n, 'a;b' AS s FROM analytics.preds GROUP BY 1;
        SELECT * FROM `per;version` ORDER BY model_version; /* the end; */
        """);
    Result script =
        launch(
            "sql",
            "-f",
            "counts.sql",
            "CREATE DATABASE IF NOT EXISTS scratch; SELECT * FROM scratch.nothing; DROP DATABASE x");
    assertEquals(2, script.exit(), script.out());
    List<String> lines = script.out().lines().toList();
    assertEquals(
        List.of(
            "ok: CREATE OR REPLACE TEMPORARY VIEW `per;version` AS SELECT...",
            "+-------------+----+---+",
            "|model_version|n   |s  |",
            "+-------------+----+---+",
            "|fm-1         |2000|a;b|",
            "|lr-1         |2000|a;b|",
            "+-------------+----+---+",
            "ok: CREATE DATABASE IF NOT EXISTS scratch"),
        lines.subList(0, lines.size() - 1),
        script.out());
    assertTrue(
        lines
            .get(lines.size() - 1)
            .startsWith("inferlake: statement 2 failed: [TABLE_OR_VIEW_NOT_FOUND]"),
        script.out());

    // the metastore and Derby's log stay in the catalog folder
    assertTrue(Files.exists(dir.resolve("catalog/derby.log")));
    for (String stray : List.of("derby.log", "metastore_db")) {
      assertFalse(Files.exists(dir.resolve(stray)), stray);
    }
  }

  static List<String> commits(Path deltaLog) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(deltaLog)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.json"))
          .sorted()
          .toList();
    }
  }

  /**
   * Under the default {@code on_invalid: fail}, one NaN fails the run (exit 3): the console shows
   * inferlake's own lines, a pointer to the log file and the one-line reason, and none of Spark's
   * task-failure logging, which is in the log file (issue 23, item 1).
   */
  void aBadRowFailsTheRunWithOneLineAndTheTracesInTheLogFile() throws Exception {
    String input = dir.resolve("lake/input").toString();
    StringBuilder cols = new StringBuilder("id, label");
    for (String f : dev.inferlake.driver.demo.DemoData.featureNames()) {
      cols.append(", ")
          .append(f.equals("f00") ? "CASE WHEN id = 3 THEN double('NaN') ELSE f00 END AS f00" : f);
    }
    Result made =
        launch(
            "sql",
            "CREATE TABLE bad USING parquet LOCATION '"
                + dir.resolve("bad")
                + "' AS SELECT "
                + cols
                + " FROM parquet.`"
                + input
                + "`");
    assertEquals(0, made.exit(), made.out());

    Result r =
        launch(
            "run",
            "--job",
            dir.resolve("lake/job.yaml").toString(),
            "--set",
            "input.path=" + dir.resolve("bad"),
            "--set",
            "output.table=" + dir.resolve("bad-out"),
            "--ds",
            "2026-07-01");
    assertEquals(3, r.exit(), r.out());
    List<String> lines = r.out().strip().lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("inferlake: ") && last.contains("NaN"), last);
    assertTrue(last.contains("id=3"), last);
    String pointer = lines.get(lines.size() - 2);
    assertTrue(pointer.startsWith("inferlake: details and stack traces in "), pointer);
    for (String line : lines.subList(0, lines.size() - 2)) {
      assertTrue(
          line.matches("\\d\\d:\\d\\d:\\d\\d INFO \\w+: .*") || line.startsWith("scoring: "),
          "only inferlake's own lines before the failure, not: " + line + "\n" + r.out());
    }
    Path log = Path.of(pointer.substring("inferlake: details and stack traces in ".length()));
    String logged = Files.readString(log);
    assertTrue(logged.contains("TaskSetManager"), "Spark's task failure is in the log file");
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (java.util.stream.Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
