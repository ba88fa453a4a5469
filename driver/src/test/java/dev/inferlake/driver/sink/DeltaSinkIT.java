package dev.inferlake.driver.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Delta sink's commit protocol on real Delta tables, driven chunk by chunk as a run drives it,
 * with other runs' commits placed where a scheduler could place them: between two chunks of a
 * resumable run, and between a run's quarantine and prediction commits.
 */
class DeltaSinkIT {
  static final LocalDate DS = LocalDate.parse("2026-05-01");
  static final List<KeyColumn> KEYS = List.of(new KeyColumn("id", 0, DataTypes.LongType));
  static final List<ModelVersion> BOTH =
      List.of(new ModelVersion("m", "v1"), new ModelVersion("m", "v2"));
  static final String[] FILES = {"file:/in/part-0.parquet", "file:/in/part-1.parquet"};
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
  }

  static DeltaSink sink(String name, List<ModelVersion> models) {
    String table = dir.resolve(name).toString();
    return new DeltaSink(spark, table, table + "_quarantine", 0, DS, models, KEYS);
  }

  /** Prediction rows of {@code runId} for ids {@code [from, to)} and every model version. */
  static Dataset<Row> predictions(
      String runId, List<ModelVersion> models, int from, int to, long micros) {
    List<Row> rows = new ArrayList<>();
    for (ModelVersion m : models) {
      for (long id = from; id < to; id++) {
        rows.add(
            RowFactory.create(
                id,
                1.0,
                null,
                m.name(),
                m.version(),
                "sha256:00",
                runId,
                Date.valueOf(DS),
                Timestamp.from(Instant.EPOCH.plus(micros, ChronoUnit.MICROS))));
      }
    }
    return spark.createDataFrame(rows, PredictionSchema.of(KEYS));
  }

  static Dataset<Row> rejects(String runId, List<ModelVersion> models, long id, long micros) {
    List<Row> rows = new ArrayList<>();
    for (ModelVersion m : models) {
      rows.add(
          RowFactory.create(
              id,
              m.name(),
              m.version(),
              "not_finite",
              "a",
              "NaN",
              runId,
              Date.valueOf(DS),
              Timestamp.from(Instant.EPOCH.plus(micros, ChronoUnit.MICROS))));
    }
    return spark.createDataFrame(rows, QuarantineSchema.of(KEYS));
  }

  static ObjectNode meta(String runId) {
    return JSON.createObjectNode().put("run_id", runId).put("ds", DS.toString());
  }

  static PredictionSink.Commit commit(
      DeltaSink sink, ChunkPlan plan, int chunk, long micros, Dataset<Row> p, Dataset<Row> q) {
    return sink.commit(
        new PredictionSink.ChunkWrite(plan, chunk, micros, p, q, meta(plan.runId())));
  }

  /** Rows per (run, version) in the table. */
  static TreeMap<String, Long> contents(String table) {
    return spark
        .read()
        .format("delta")
        .load(table)
        .groupBy("run_id", "model_version")
        .count()
        .collectAsList()
        .stream()
        .collect(
            Collectors.toMap(
                r -> r.getString(0) + "/" + r.getString(1),
                r -> r.getLong(2),
                (a, b) -> a,
                TreeMap::new));
  }

  @Test
  void anotherRunCommittingBetweenTwoChunksFailsTheLaterChunkAndDuplicatesNothing() {
    DeltaSink x = sink("between-chunks", BOTH);
    ChunkPlan plan = x.planChunks(() -> FILES, 2, "run-x");
    assertEquals(2, plan.size());
    commit(x, plan, 0, 1, predictions("run-x", BOTH, 0, 5, 1), null);

    // a plain run of the same date and versions replaces the date's rows in full
    DeltaSink y = sink("between-chunks", BOTH);
    commit(y, ChunkPlan.single("run-y"), 0, 2, predictions("run-y", BOTH, 0, 10, 2), null);

    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> commit(x, plan, 1, 3, predictions("run-x", BOTH, 5, 10, 3), null));
    assertEquals(ErrorKind.RUN, e.kind());
    assertTrue(e.getMessage().contains("run-y"), e.getMessage());
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-y/v1", 10L, "run-y/v2", 10L)),
        contents(x.table()),
        "the other run's rows, once each, and nothing of the interrupted run");
  }

  @Test
  void aResumeAfterAnotherRunOfOneOfItsVersionsStartsOver() {
    DeltaSink x = sink("resume-after-other", BOTH);
    ChunkPlan plan = x.planChunks(() -> FILES, 2, "run-x");
    commit(x, plan, 0, 1, predictions("run-x", BOTH, 0, 5, 1), null);
    // run x dies here; a plain run of v1 alone replaces v1's rows of the date
    List<ModelVersion> v1 = List.of(new ModelVersion("m", "v1"));
    DeltaSink y = sink("resume-after-other", v1);
    commit(y, ChunkPlan.single("run-y"), 0, 2, predictions("run-y", v1, 0, 10, 2), null);

    // the rerun of x must not resume on top of y's v1 rows
    DeltaSink rerun = sink("resume-after-other", BOTH);
    ChunkPlan again = rerun.planChunks(() -> FILES, 2, "run-new");
    assertEquals("run-new", again.runId());
    assertEquals(0, again.firstChunk());
    for (int c = again.firstChunk(); c < again.size(); c++) {
      commit(rerun, again, c, 10 + c, predictions("run-new", BOTH, 5 * c, 5 * c + 5, 10 + c), null);
    }
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-new/v1", 10L, "run-new/v2", 10L)),
        contents(rerun.table()));
  }

  @Test
  void aFailedPredictionCommitNeverPutsBackOverAnotherRunsQuarantineRows() {
    DeltaSink x = sink("restore-race", BOTH);
    String quarantine = x.table() + "_quarantine";
    // an earlier run of the date left one reject per version
    commit(
        x,
        ChunkPlan.single("run-0"),
        0,
        1,
        predictions("run-0", BOTH, 0, 10, 1),
        rejects("run-0", BOTH, 99, 1));
    // run x commits its rejects, then another run z commits its own before x's prediction commit
    // fails
    x.afterQuarantineCommit =
        () ->
            sink("restore-race", BOTH)
                .commit(
                    new PredictionSink.ChunkWrite(
                        ChunkPlan.single("run-z"),
                        0,
                        3,
                        predictions("run-z", BOTH, 0, 10, 3),
                        rejects("run-z", BOTH, 77, 3),
                        meta("run-z")));
    Dataset<Row> failing =
        predictions("run-x", BOTH, 0, 10, 2)
            .withColumn(
                "prediction",
                functions
                    .when(
                        functions.col("id").equalTo(3),
                        functions.raise_error(functions.lit("boom")))
                    .otherwise(functions.col("prediction"))
                    .cast("double"));
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                commit(x, ChunkPlan.single("run-x"), 0, 2, failing, rejects("run-x", BOTH, 5, 2)));
    assertEquals(ErrorKind.RUN, e.kind());
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-z/v1", 1L, "run-z/v2", 1L)),
        contents(quarantine),
        "run z's quarantine rows stay; run x's are gone");
  }

  /** The rows, through a UDF that holds the task of id 0 for 3 s: the commit stays open. */
  static Dataset<Row> slowly(Dataset<Row> rows) {
    spark
        .udf()
        .register(
            "inferlake_test_slowly",
            (UDF1<Long, Long>)
                id -> {
                  if (id == 0) {
                    Thread.sleep(3000);
                  }
                  return id;
                },
            DataTypes.LongType);
    return rows.withColumn("id", functions.callUDF("inferlake_test_slowly", functions.col("id")));
  }

  @Test
  void twoModelNamesSharingAVersionCommitOneDateConcurrentlyAndBothLand() throws Exception {
    List<ModelVersion> a = List.of(new ModelVersion("a", "v1"));
    List<ModelVersion> b = List.of(new ModelVersion("b", "v1"));
    // the table exists: the first commits to a new table race to create it
    commit(
        sink("shared-version", a),
        ChunkPlan.single("run-a0"),
        0,
        1,
        predictions("run-a0", a, 0, 10, 1),
        null);
    CompletableFuture<PredictionSink.Commit> fa =
        CompletableFuture.supplyAsync(
            () ->
                commit(
                    sink("shared-version", a),
                    ChunkPlan.single("run-a"),
                    0,
                    2,
                    slowly(predictions("run-a", a, 0, 10, 2)),
                    null));
    CompletableFuture<PredictionSink.Commit> fb =
        CompletableFuture.supplyAsync(
            () ->
                commit(
                    sink("shared-version", b),
                    ChunkPlan.single("run-b"),
                    0,
                    2,
                    slowly(predictions("run-b", b, 0, 10, 2)),
                    null));
    fa.get();
    fb.get();
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-a/v1", 10L, "run-b/v1", 10L)),
        contents(dir.resolve("shared-version").toString()));
    assertEquals(
        List.of("ds", "model_name", "model_version", "model_digest", "run_id"),
        partitionColumns(dir.resolve("shared-version").toString()));
  }

  @Test
  void aNewTableKeepsTheRunConstantsInTheLogNotInItsFiles() throws java.io.IOException {
    String table = dir.resolve("constants").toString();
    DeltaSink a = sink("constants", BOTH);
    commit(a, ChunkPlan.single("run-a"), 0, 2, predictions("run-a", BOTH, 0, 10, 2), null);
    // a rerun of the date replaces the first run's rows, though they sit in other partitions
    DeltaSink b = sink("constants", BOTH);
    commit(b, ChunkPlan.single("run-b"), 0, 3, predictions("run-b", BOTH, 0, 10, 3), null);
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-b/v1", 10L, "run-b/v2", 10L)), contents(table));
    // the columns read as before, with the table's column order and comments
    Dataset<Row> read = spark.read().format("delta").load(table);
    assertEquals(
        List.of(PredictionSchema.of(KEYS).fieldNames()), List.of(read.schema().fieldNames()));
    assertEquals(
        "sha256 of the model bytes scored", read.schema().apply("model_digest").getComment().get());
    assertEquals(
        20L,
        read.where(
                "model_digest = 'sha256:00' AND run_id = 'run-b' AND scored_at = TIMESTAMP_MICROS(3)")
            .count());
    List<String> files = List.of(read.inputFiles());
    assertTrue(files.size() >= 2, files.toString()); // one or more per version
    assertTrue(files.stream().allMatch(f -> f.contains("/run_id=run-b/")), files.toString());
    // On the Spark 3.5 line (Delta 3.3) the data files hold neither the digest nor the run id.
    // On the Spark 4 line (Spark 4.2, Delta 4.4) the data files also hold the partition values
    // (measured: every partition column is in the footer), so the saving is the 3.5 line's.
    List<String> want =
        spark.version().startsWith("3.")
            ? List.of("id", "prediction", "probabilities", "scored_at")
            : List.of(
                "id",
                "prediction",
                "probabilities",
                "scored_at",
                "ds",
                "model_name",
                "model_version",
                "model_digest",
                "run_id");
    for (String f : files) {
      assertEquals(want, parquetColumns(f), f);
    }
  }

  /** The top-level columns in a Parquet file's footer. */
  static List<String> parquetColumns(String file) throws java.io.IOException {
    try (org.apache.parquet.hadoop.ParquetFileReader r =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file), spark.sparkContext().hadoopConfiguration()))) {
      return r.getFileMetaData().getSchema().getFields().stream()
          .map(org.apache.parquet.schema.Type::getName)
          .toList();
    }
  }

  @Test
  void aTableMadeBeforeRunConstantPartitionsKeepsItsPartitioning() {
    String table = dir.resolve("legacy-names").toString();
    predictions("run-old", BOTH, 0, 10, 1)
        .write()
        .format("delta")
        .partitionBy("ds", "model_name", "model_version")
        .save(table);
    DeltaSink x = sink("legacy-names", BOTH);
    commit(x, ChunkPlan.single("run-x"), 0, 2, predictions("run-x", BOTH, 0, 10, 2), null);
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-x/v1", 10L, "run-x/v2", 10L)), contents(table));
    assertEquals(List.of("ds", "model_name", "model_version"), partitionColumns(table));
  }

  @Test
  void aTableMadeBeforeModelNamePartitionsKeepsItsPartitioning() {
    String table = dir.resolve("legacy").toString();
    predictions("run-old", BOTH, 0, 10, 1)
        .write()
        .format("delta")
        .partitionBy("ds", "model_version")
        .save(table);
    DeltaSink x = sink("legacy", BOTH);
    commit(x, ChunkPlan.single("run-x"), 0, 2, predictions("run-x", BOTH, 0, 10, 2), null);
    assertEquals(
        new TreeMap<>(java.util.Map.of("run-x/v1", 10L, "run-x/v2", 10L)), contents(table));
    assertEquals(List.of("ds", "model_version"), partitionColumns(table));
  }

  static List<String> partitionColumns(String table) {
    return DeltaTable.forPath(spark, table).detail().select("partitionColumns").head().getList(0);
  }
}
