package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which rows a job scores (issue 21): a date-scoped input ({@code input.where} with {@code ${ds}}),
 * CSV input with rows that do not parse, a 64-column model fed by one range, and catalog tables by
 * name for input and output.
 */
class InputScopeIT {
  static final String[] DATES = {"2026-11-21", "2026-11-22", "2026-11-23"};
  static final int[] ROWS_PER_DATE = {100, 150, 120};

  @TempDir static Path dir;
  static SparkSession spark;
  static TestModels.LinearModel model = TestModels.linear(3, 2, 21);

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType)
            .add("c", DataTypes.DoubleType)
            .add("event_date", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    long id = 0;
    for (int d = 0; d < DATES.length; d++) {
      for (int i = 0; i < ROWS_PER_DATE[d]; i++, id++) {
        rows.add(RowFactory.create(id, id * 0.25, -id * 0.5, 1.0, DATES[d]));
      }
    }
    spark
        .createDataFrame(rows, schema)
        .repartition(2)
        .write()
        .partitionBy("event_date")
        .parquet(dir.resolve("events").toString());
    model.writeTo(dir, "m.onnx");
  }

  static JobSpecBuilder job(String input, String out) {
    return JobSpecBuilder.create()
        .input(dir.resolve(input))
        .key("id")
        .features("input", "a", "b", "c")
        .model("m", "v1", dir.resolve("m.onnx"))
        .output(dir.resolve(out));
  }

  static Set<Long> ids(String table, String where) {
    return spark
        .read()
        .format("delta")
        .load(table)
        .where(where)
        .select("id")
        .collectAsList()
        .stream()
        .map(r -> r.getLong(0))
        .collect(Collectors.toSet());
  }

  /** The ids written for {@code date}, computed from the generator above. */
  static Set<Long> idsOf(int date) {
    long first = 0;
    for (int d = 0; d < date; d++) {
      first += ROWS_PER_DATE[d];
    }
    Set<Long> ids = new HashSet<>();
    for (long i = first; i < first + ROWS_PER_DATE[date]; i++) {
      ids.add(i);
    }
    return ids;
  }

  @Test
  void aRunForOneDateScoresExactlyThatDatesRowsAndPlansOnlyItsFiles() throws IOException {
    Path file =
        job("events", "by-date").where("event_date = '${ds}'").writeTo(dir.resolve("d.yaml"));
    long files;
    try (Stream<Path> s = Files.list(dir.resolve("events").resolve("event_date=" + DATES[1]))) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).count();
    }

    Cli plan = Cli.run("plan", "--job", file.toString(), "--ds", DATES[1]);
    assertEquals(0, plan.exitCode(), plan.err());
    assertTrue(plan.out().contains("  where          event_date = '2026-11-22'\n"), plan.out());
    assertTrue(plan.out().contains("  rows           150\n"), plan.out());
    assertTrue(
        plan.out()
            .contains(
                "cut by         metadata: "
                    + files
                    + " file(s) ("
                    + files
                    + " Parquet footer(s) read)"),
        plan.out());

    Cli run = Cli.run("run", "--job", file.toString(), "--ds", DATES[1]);
    assertEquals(0, run.exitCode(), run.err());
    String table = dir.resolve("by-date").toString();
    assertEquals(idsOf(1), ids(table, "ds = DATE'2026-11-22'"));
    assertEquals(150, spark.read().format("delta").load(table).count());

    String meta =
        DeltaTable.forPath(spark, table).history(1).select("userMetadata").head().getString(0);
    assertTrue(meta.contains("\"input_where\":\"event_date = '2026-11-22'\""), meta);
    Row runRow =
        spark
            .read()
            .format("delta")
            .load(table + "_runs")
            .select("input_where", "rows_in", "predicted")
            .head();
    assertEquals("event_date = '2026-11-22'", runRow.getString(0));
    assertEquals(150L, runRow.getLong(2));

    // the next day: prev_ds and next_ds fill in too; the earlier date's rows stay
    Cli next =
        Cli.run(
            "run",
            "--job",
            file.toString(),
            "--ds",
            DATES[2],
            "--set",
            "input.where=event_date > '${prev_ds}' AND event_date < '${next_ds}'");
    assertEquals(0, next.exitCode(), next.err());
    assertEquals(idsOf(2), ids(table, "ds = DATE'2026-11-23'"));
    assertEquals(idsOf(1), ids(table, "ds = DATE'2026-11-22'"));
  }

  @Test
  void skipScoredScoresOnlyTheKeysNotScoredYetAndKeepsTheOthers() {
    Path file =
        job("events", "half-scored").where("event_date = '${ds}'").writeTo(dir.resolve("h.yaml"));
    String table = dir.resolve("half-scored").toString();
    Cli half =
        Cli.run(
            "run",
            "--job",
            file.toString(),
            "--ds",
            DATES[1],
            "--set",
            "input.where=event_date = '${ds}' AND id % 2 = 0");
    assertEquals(0, half.exitCode(), half.err());
    String firstRun =
        spark.read().format("delta").load(table).select("run_id").distinct().head().getString(0);

    Cli rest =
        Cli.run("run", "--job", file.toString(), "--ds", DATES[1], "--set", "skip_scored=true");
    assertEquals(0, rest.exitCode(), rest.err());
    Set<Long> even = new HashSet<>();
    Set<Long> odd = new HashSet<>();
    for (long id : idsOf(1)) {
      (id % 2 == 0 ? even : odd).add(id);
    }
    assertEquals(even, ids(table, "run_id = '" + firstRun + "'"), "the first run's rows stay");
    assertEquals(odd, ids(table, "run_id != '" + firstRun + "'"), "only the unscored half");
    assertEquals(150, spark.read().format("delta").load(table).count(), "one row per key");
    Row second =
        spark
            .read()
            .format("delta")
            .load(table + "_runs")
            .where("run_id != '" + firstRun + "'")
            .select("predicted")
            .head();
    assertEquals(75L, second.getLong(0));

    // everything scored: the next run scores nothing and removes nothing
    Cli none =
        Cli.run("run", "--job", file.toString(), "--ds", DATES[1], "--set", "skip_scored=true");
    assertEquals(0, none.exitCode(), none.err());
    assertEquals(idsOf(1), ids(table, "true"));
    assertEquals(150, spark.read().format("delta").load(table).count());
  }

  @Test
  void aPredicateSparkCannotUseOrAnUnknownPlaceholderIsASpecError() {
    Path file = job("events", "bad-where").writeTo(dir.resolve("bad.yaml"));
    Cli syntax =
        Cli.run("run", "--job", file.toString(), "--set", "input.where=event_date = = '${ds}'");
    assertEquals(2, syntax.exitCode(), syntax.err());
    assertTrue(
        syntax.errorLine().startsWith("inferlake: job spec: 'input.where' is 'event_date = = '"),
        syntax.errorLine());

    Cli column = Cli.run("run", "--job", file.toString(), "--set", "input.where=no_such > 1");
    assertEquals(2, column.exitCode(), column.err());
    assertTrue(column.errorLine().contains("no_such"), column.errorLine());

    Cli placeholder =
        Cli.run("plan", "--job", file.toString(), "--set", "input.where=ds = '${yesterday}'");
    assertEquals(2, placeholder.exitCode(), placeholder.err());
    assertEquals(
        "inferlake: job spec: 'input.where' is 'ds = '${yesterday}''; ${yesterday} is not a"
            + " placeholder: use ${ds}, ${ds_nodash}, ${prev_ds} or ${next_ds}",
        placeholder.errorLine());
    assertFalse(DeltaTable.isDeltaTable(spark, dir.resolve("bad-where").toString()));
  }

  @Test
  void csvRowsThatDoNotParseAreQuarantinedAndTheRestPredicted() throws IOException {
    StringBuilder csv = new StringBuilder("id,a,b,c\n");
    for (int i = 0; i < 60; i++) {
      if (i == 7) {
        csv.append("7,abc,0.5,1.0\n"); // not a number
      } else if (i == 30) {
        csv.append("30,1.0,2.0,3.0,4.0,5.0\n"); // two fields too many
      } else {
        csv.append(i).append(',').append(i * 0.5).append(',').append(-i).append(",1.0\n");
      }
    }
    Files.createDirectories(dir.resolve("csv"));
    Files.writeString(dir.resolve("csv").resolve("part-0.csv"), csv);
    Path file =
        job("csv", "from-csv")
            .format("csv")
            .inputSchema("id BIGINT, a DOUBLE, b DOUBLE, c DOUBLE")
            .onInvalid(OnInvalid.QUARANTINE)
            .writeTo(dir.resolve("csv.yaml"));

    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-11-22");
    assertEquals(0, run.exitCode(), run.err());
    String table = dir.resolve("from-csv").toString();
    Set<Long> expected = new HashSet<>();
    for (long i = 0; i < 60; i++) {
      expected.add(i);
    }
    expected.removeAll(Set.of(7L, 30L));
    assertEquals(expected, ids(table, "true"));
    List<Row> q =
        spark
            .read()
            .format("delta")
            .load(table + "_quarantine")
            .select("id", "reason", "value")
            .orderBy("id")
            .collectAsList();
    assertEquals(2, q.size(), q.toString());
    assertEquals(7L, q.get(0).getLong(0));
    assertEquals("unparsable", q.get(0).getString(1));
    assertEquals("7,abc,0.5,1.0", q.get(0).getString(2));
    assertEquals(30L, q.get(1).getLong(0));
    assertEquals("unparsable", q.get(1).getString(1));
    Row r =
        spark
            .read()
            .format("delta")
            .load(table + "_runs")
            .select("rows_in", "predicted", "quarantined")
            .head();
    assertEquals(60L, r.getLong(0));
    assertEquals(58L, r.getLong(1));
    assertEquals(2L, r.getLong(2));
    // a parsed row is scored as the model computes it: row 3 is (1.5, -3, 1)
    double[] p = model.expected(new float[] {1.5f, -3f, 1f});
    double want = p[1] > p[0] ? 1 : 0;
    assertEquals(
        want,
        spark
            .read()
            .format("delta")
            .load(table)
            .where("id = 3")
            .select("prediction")
            .head()
            .getDouble(0));
  }

  @Test
  void jsonLinesThatAreNoJsonAreQuarantinedWithoutAKey() throws IOException {
    StringBuilder json = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      json.append(
          i == 9
              ? "{\"id\": 9, \"a\": 1.0,"
              : "{\"id\": " + i + ", \"a\": " + i + ", \"b\": 2.5, \"c\": -1}");
      json.append('\n');
    }
    Files.createDirectories(dir.resolve("json"));
    Files.writeString(dir.resolve("json").resolve("part-0.json"), json);
    Path file =
        job("json", "from-json")
            .format("json")
            .inputSchema("id BIGINT, a DOUBLE, b DOUBLE, c DOUBLE")
            .onInvalid(OnInvalid.QUARANTINE)
            .writeTo(dir.resolve("json.yaml"));
    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-11-22");
    assertEquals(0, run.exitCode(), run.err());
    Set<Long> expected = new HashSet<>();
    for (long i = 0; i < 40; i++) {
      expected.add(i);
    }
    expected.remove(9L);
    assertEquals(expected, ids(dir.resolve("from-json").toString(), "true"));
    List<Row> q =
        spark
            .read()
            .format("delta")
            .load(dir.resolve("from-json") + "_quarantine")
            .select("id", "reason", "value")
            .collectAsList();
    assertEquals(1, q.size(), q.toString());
    assertTrue(q.get(0).isNullAt(0), "text that is no JSON has no key: " + q);
    assertEquals("unparsable", q.get(0).getString(1));
    assertEquals("{\"id\": 9, \"a\": 1.0,", q.get(0).getString(2));
  }

  @Test
  void csvRowsThatDoNotParseFailTheRunUnderOnInvalidFail() throws IOException {
    Files.createDirectories(dir.resolve("csv-fail"));
    Files.writeString(
        dir.resolve("csv-fail").resolve("x.csv"), "id,a,b,c\n1,1.0,2.0,3.0\n2,x,2.0,3.0\n");
    Path file =
        job("csv-fail", "csv-fail-out")
            .format("csv")
            .inputSchema("id BIGINT, a DOUBLE, b DOUBLE, c DOUBLE")
            .writeTo(dir.resolve("csv-fail.yaml"));
    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-11-22");
    assertEquals(3, run.exitCode(), run.err());
    assertTrue(
        run.errorLine().contains("1 row(s) that do not parse (first: 2,x,2.0,3.0)"), run.err());
    assertFalse(DeltaTable.isDeltaTable(spark, dir.resolve("csv-fail-out").toString()));
  }

  @Test
  void anOrcInputIsScoredWithSparksSplits() {
    spark
        .read()
        .parquet(dir.resolve("events").toString())
        .where("event_date = '2026-11-21'")
        .write()
        .orc(dir.resolve("orc").toString());
    Path file = job("orc", "from-orc").format("orc").writeTo(dir.resolve("orc.yaml"));
    Cli plan = Cli.run("plan", "--job", file.toString(), "--ds", "2026-11-21");
    assertEquals(0, plan.exitCode(), plan.err());
    assertTrue(
        plan.out().contains("cut by         Spark's file splits: orc input has no row-group"),
        plan.out());
    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-11-21");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(idsOf(0), ids(dir.resolve("from-orc").toString(), "true"));
  }

  @Test
  void a64PixelModelIsFedFromACsvWithOneMappingLine() throws IOException {
    TestModels.LinearModel pixels = TestModels.linear(64, 10, 64);
    pixels.writeTo(dir, "pixels.onnx");
    StringBuilder csv = new StringBuilder("id");
    for (int p = 0; p < 64; p++) {
      csv.append(",p").append(p);
    }
    csv.append('\n');
    float[][] x = new float[40][64];
    for (int i = 0; i < 40; i++) {
      csv.append(i);
      for (int p = 0; p < 64; p++) {
        x[i][p] = ((i * 7 + p * 3) % 17) / 4f;
        csv.append(',').append(x[i][p]);
      }
      csv.append('\n');
    }
    Files.createDirectories(dir.resolve("pixels"));
    Files.writeString(dir.resolve("pixels").resolve("digits.csv"), csv);
    Path file =
        JobSpecBuilder.create()
            .input(dir.resolve("pixels"))
            .format("csv")
            .key("id")
            .features("input", "p0..p63")
            .model("px", "v1", dir.resolve("pixels.onnx"))
            .output(dir.resolve("pixel-scores"))
            .writeTo(dir.resolve("pixels.yaml"));
    Cli run = Cli.run("run", "--job", file.toString(), "--ds", "2026-11-22");
    assertEquals(0, run.exitCode(), run.err());
    List<Row> got =
        spark
            .read()
            .format("delta")
            .load(dir.resolve("pixel-scores").toString())
            .select("id", "prediction")
            .collectAsList();
    assertEquals(40, got.size());
    for (Row r : got) {
      int i = (int) r.getInt(0);
      double[] p = pixels.expected(x[i]);
      int best = 0;
      for (int c = 1; c < p.length; c++) {
        best = p[c] > p[best] ? c : best;
      }
      assertEquals(best, r.getDouble(1), 0, "row " + i);
    }
  }

  @Test
  void inputAndOutputByCatalogNameAreCreatedThenAppendedAndReadBackBySql() throws Exception {
    spark.sql("CREATE DATABASE IF NOT EXISTS il_src LOCATION '" + dir.resolve("db-src") + "'");
    spark.sql("CREATE DATABASE IF NOT EXISTS il_out LOCATION '" + dir.resolve("db-out") + "'");
    spark
        .read()
        .parquet(dir.resolve("events").toString())
        .write()
        .format("delta")
        .partitionBy("event_date")
        .saveAsTable("il_src.events");
    Path file =
        job("events", "unused")
            .inputTable("il_src.events")
            .where("event_date = '${ds}'")
            .output("il_out.scores")
            .writeTo(dir.resolve("catalog.yaml"));
    // The commands open the embedded catalog of user.home (no INFERLAKE_CATALOG_DIR here): one of
    // this test's own, not the machine's, which another process may hold. This JVM's session is
    // already made, so they use it and its catalog.
    String home = System.getProperty("user.home");
    System.setProperty("user.home", dir.resolve("home").toString());
    Cli sql;
    try {
      for (String ds : new String[] {DATES[0], DATES[2]}) {
        Cli run = Cli.run("run", "--job", file.toString(), "--ds", ds);
        assertEquals(0, run.exitCode(), run.err());
      }
      sql =
          Cli.run(
              "sql",
              "SELECT ds, count(*) AS n FROM il_out.scores GROUP BY ds ORDER BY ds;"
                  + " SELECT count(*) AS runs FROM il_out.scores_runs");
    } finally {
      System.setProperty("user.home", home);
    }
    assertEquals(
        CatalogComment.PREDICTIONS, spark.catalog().getTable("il_out.scores").description());
    assertTrue(spark.catalog().tableExists("il_out.scores_runs"));
    assertEquals(0, sql.exitCode(), sql.err());
    assertTrue(
        sql.out().matches("(?s).*2026-11-21\\s*\\|\\s*100.*2026-11-23\\s*\\|\\s*120.*"), sql.out());
    assertEquals(idsOf(0), idsByName("il_out.scores", "ds = DATE'2026-11-21'"));
    assertEquals(idsOf(2), idsByName("il_out.scores", "ds = DATE'2026-11-23'"));
  }

  static Set<Long> idsByName(String name, String where) {
    return spark.table(name).where(where).select("id").collectAsList().stream()
        .map(r -> r.getLong(0))
        .collect(Collectors.toSet());
  }

  /** The comment README promises for a prediction table created by name. */
  static final class CatalogComment {
    static final String PREDICTIONS =
        "Model predictions written by inferlake; one row per key, model version and run date"
            + " (ds).";
  }
}
