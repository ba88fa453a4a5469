package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Issue 17's job-level holes, each proven on a real run: a signed version copied under another
 * version number, and an empty input emptying a date.
 */
class IntegrityIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;
  static String keys;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    registry = dir.resolve("registry").toString();
    keys = Files.createDirectories(dir.resolve("keys")).toString();
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(RowFactory.create((long) i, i * 0.01, 1.0 - i * 0.005));
    }
    spark.createDataFrame(rows, schema).write().parquet(dir.resolve("in").toString());
    spark
        .createDataFrame(new ArrayList<Row>(), schema)
        .write()
        .parquet(dir.resolve("empty").toString());
    TestModels.linear(2, 3, 41).writeTo(dir, "m.onnx");
    ok(
        "model",
        "keygen",
        "--type",
        "signing",
        "--out",
        keys + "/sign.json",
        "--public-out",
        keys + "/sign.pub.json");
    ok(
        ModelRegistration.of(registry, "m", "v1", dir.resolve("m.onnx"))
            .signedWith(keys + "/sign.json")
            .args());
  }

  static void ok(String... args) {
    Cli r = Cli.run(args);
    assertEquals(0, r.exitCode(), r.err());
  }

  static Path job(String name, String input, String table, String... versions) {
    JobSpecBuilder b =
        JobSpecBuilder.create()
            .input(input)
            .key("id")
            .features("input", "a", "b")
            .registry(registry)
            .requireSignature(true)
            .trustedKeys(keys + "/sign.pub.json")
            .output(table);
    for (String v : versions) {
      b.model("m", v);
    }
    return b.writeTo(dir.resolve(name + ".yaml"));
  }

  static Cli run(Path job, String ds, String... sets) {
    List<String> args = new ArrayList<>(List.of("run", "--job", job.toString(), "--ds", ds));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(new String[0]));
  }

  @Test
  void aSignedVersionCopiedUnderAnotherVersionNumberIsRefused() throws Exception {
    // an attacker with write access to the registry, but no signing key, copies v1's folder
    Path from = Path.of(registry, "m", "v1");
    Path to = Files.createDirectories(Path.of(registry, "m", "v3"));
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
    String table = dir.resolve("copied-out").toString();
    Path job = job("copied", dir.resolve("in").toString(), table, "v1", "v3");
    Cli r = run(job, "2026-06-01");
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(r.errorLine().contains("m:v3"), r.errorLine());
    assertTrue(r.errorLine().contains("m:v1"), r.errorLine());
    assertFalse(DeltaTable.isDeltaTable(spark, table), "nothing written");
  }

  @Test
  void anEmptyInputDoesNotEmptyADateUnlessTheJobAllowsIt() throws Exception {
    String table = dir.resolve("empty-out").toString();
    Path full = job("full", dir.resolve("in").toString(), table, "v1");
    assertEquals(0, run(full, "2026-06-02").exitCode());
    Path empty = job("empty", dir.resolve("empty").toString(), table, "v1");
    DeltaState before = DeltaState.of(spark, table);

    Cli r = run(empty, "2026-06-02");
    assertEquals(3, r.exitCode(), r.err());
    assertTrue(r.errorLine().contains(dir.resolve("empty").toString()), r.errorLine());
    assertTrue(r.errorLine().contains("200 rows of ds=2026-06-02"), r.errorLine());
    assertEquals(before, DeltaState.of(spark, table), "the table is as it was");

    // another date has nothing to remove: an empty input is a run of zero rows
    assertEquals(0, run(empty, "2026-06-03").exitCode());

    Cli allowed = run(empty, "2026-06-02", "allow_empty_input=true");
    assertEquals(0, allowed.exitCode(), allowed.err());
    assertEquals(
        0, spark.read().format("delta").load(table).where("ds = DATE'2026-06-02'").count());
  }
}
