package dev.inferlake.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The input section's new keys, checked without Spark: placeholders, ranges and globs, names. */
class InputSpecTest {
  private static final String SPEC =
      """
      input:
        path: /data/events/dt=${ds_nodash}
        where: event_date BETWEEN '${prev_ds}' AND '${next_ds}' OR event_date = '${ds}'
        key: id
        features:
          input: [p0..p3]
      models:
        - name: m
          version: v1
          path: /models/m1.onnx
      output:
        table: /lake/p
      """;

  private static InferlakeException usageError(String... overrides) {
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> JobSpecLoader.parse(SPEC, "job.yaml", List.of(overrides)));
    assertEquals(ErrorKind.USAGE, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void placeholdersAreFilledWithTheRunDatesText() {
    JobSpec s =
        InputSource.forDate(
            JobSpecLoader.parse(SPEC, "job.yaml", List.of()), LocalDate.of(2026, 3, 1));
    assertEquals("/data/events/dt=20260301", s.input().path());
    assertEquals(
        "event_date BETWEEN '2026-02-28' AND '2026-03-02' OR event_date = '2026-03-01'",
        s.input().where());
    // leap year: the day before 1 March is 29 February
    assertEquals(
        "2024-02-29", DateTemplate.fill("input.where", "${prev_ds}", LocalDate.of(2024, 3, 1)));
  }

  @Test
  void runsHelpNamesThePlaceholdersDsFills() {
    dev.inferlake.driver.testing.Cli help = dev.inferlake.driver.testing.Cli.run("run", "--help");
    assertEquals(0, help.exitCode(), help.err());
    assertTrue(
        help.out().contains("${ds}, ${ds_nodash}, ${prev_ds} and ${next_ds} in"), help.out());
  }

  @Test
  void anUnknownOrUnclosedPlaceholderIsASpecError() {
    assertEquals(
        "job spec: 'input.path' is '/d/${date}'; ${date} is not a placeholder: use ${ds},"
            + " ${ds_nodash}, ${prev_ds} or ${next_ds}",
        usageError("input.path=/d/${date}").getMessage());
    assertTrue(
        usageError("input.where=ds = '${ds'").getMessage().contains("${ds' is not a placeholder"));
  }

  @Test
  void pathAndTableAreExclusiveAndFormatsAreChecked() {
    assertTrue(
        usageError("input.table=db.events")
            .getMessage()
            .contains("one of input.path, input.table"));
    assertTrue(
        usageError("input.format=avro")
            .getMessage()
            .contains("[parquet, delta, csv, json, orc, images]"));
    assertTrue(
        usageError("input.schema=id BIGINT").getMessage().contains("only with format csv or json"));
    assertTrue(
        usageError("input.format=csv", "input.schema=id BIGINT,, x")
            .getMessage()
            .startsWith(
                "job spec: 'input.schema' is 'id BIGINT,, x'; expected columns as Spark DDL"));
    JobSpec csv =
        JobSpecLoader.parse(
            SPEC, "job.yaml", List.of("input.format=csv", "input.schema=id BIGINT, p0 DOUBLE"));
    assertEquals("csv", csv.format());
  }

  @Test
  void rangesAndGlobsExpandAgainstTheInputsColumns() {
    List<String> cols = List.of("id", "f1", "f10", "f2", "p00", "p01", "p02", "x..y");
    assertEquals(
        List.of("p0", "p1", "p2", "p3"), FeatureColumns.expand(List.of("p0..p3"), cols, "t"));
    assertEquals(
        List.of("p00", "p01", "p02"), FeatureColumns.expand(List.of("p00..p02"), cols, "t"));
    assertEquals(
        List.of("p00", "p01", "p02"), FeatureColumns.expand(List.of("p00..02"), cols, "t"));
    // a glob keeps the input's column order
    assertEquals(List.of("f1", "f10", "f2"), FeatureColumns.expand(List.of("f*"), cols, "t"));
    assertEquals(List.of("id", "f1", "f2"), FeatureColumns.expand(List.of("id", "f?"), cols, "t"));
    // a column whose name looks like a range is itself
    assertEquals(List.of("x..y"), FeatureColumns.expand(List.of("x..y"), cols, "t"));
    InferlakeException none =
        assertThrows(
            InferlakeException.class,
            () -> FeatureColumns.expand(List.of("g*"), cols, "features of input"));
    assertEquals(ErrorKind.INPUT, none.kind());
    assertTrue(
        none.getMessage().startsWith("'g*' (features of input) matches no input column"),
        none.getMessage());
    assertEquals(
        ErrorKind.USAGE,
        assertThrows(
                InferlakeException.class, () -> FeatureColumns.expand(List.of("p9..p1"), cols, "t"))
            .kind());
  }

  @Test
  void skipScoredTakesOneModelVersionAndNoChunks() {
    assertTrue(
        JobSpecLoader.parse(SPEC, "job.yaml", List.of("skip_scored=true")).skipScoredOrDefault());
    assertTrue(
        usageError(
                "skip_scored=true",
                "models=[{name: m, version: v1, path: /m1.onnx}, {name: m, version: v2, path: /m2.onnx}]")
            .getMessage()
            .contains("a job of one model version"));
    assertTrue(
        usageError("skip_scored=true", "resumable={chunks: 4}")
            .getMessage()
            .contains("no resumable section"));
  }

  @Test
  void outputNamesAreCatalogTablesAndPathsStayPaths() {
    assertTrue(CatalogTables.isName("db.churn_scores"));
    assertFalse(CatalogTables.isName("/lake/p"));
    assertFalse(CatalogTables.isName("s3a://b/p"));
    assertFalse(CatalogTables.isName("predictions"));
    assertFalse(CatalogTables.isName("./preds.v1"));
    JobSpec s = JobSpecLoader.parse(SPEC, "job.yaml", List.of("output.table=db.scores"));
    assertTrue(CatalogTables.usesCatalog(s));
    assertEquals("db.scores_quarantine", s.output().quarantineTableOrDefault());
    assertFalse(CatalogTables.usesCatalog(JobSpecLoader.parse(SPEC, "job.yaml", List.of())));
  }
}
