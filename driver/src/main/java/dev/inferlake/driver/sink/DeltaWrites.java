package dev.inferlake.driver.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.session.SessionConf;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.CommitLog;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta operations behind {@link DeltaSink}, for one run's date and model versions: one {@code
 * replaceWhere} commit, the partitioning a table is written with, finding another run's commit to
 * the same rows, removing a run's rows, and putting the quarantine table back.
 */
final class DeltaWrites {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaSink.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final String quarantineTable;
  private final LocalDate ds;
  private final List<ModelVersion> models;
  private final List<KeyColumn> keys;

  DeltaWrites(
      SparkSession spark,
      String quarantineTable,
      LocalDate ds,
      List<ModelVersion> models,
      List<KeyColumn> keys) {
    this.spark = spark;
    this.quarantineTable = quarantineTable;
    this.ds = ds;
    this.models = models;
    this.keys = keys;
  }

  /**
   * The newest commit to {@code target} between {@code after} and {@code before} (exclusive) by
   * another run that owns some of this run's rows on its date; null when there is none.
   */
  CommitLog.Commit foreignCommit(String target, long after, long before, String runId) {
    String owner = DeltaSink.owner(models);
    for (CommitLog.Commit c : CommitLog.commits(spark, target, 1000, null)) {
      if (c.version() <= after) {
        break;
      }
      if (c.version() >= before) {
        continue;
      }
      JsonNode meta = parse(c.metadata());
      if (meta != null
          && ds.toString().equals(meta.path("ds").asText())
          && !runId.equals(meta.path("run_id").asText())
          && OwnedRows.overlap(owner, meta.path("owner").asText())) {
        return c;
      }
    }
    return null;
  }

  static String runIdOf(CommitLog.Commit c) {
    JsonNode meta = parse(c.metadata());
    return meta == null ? "?" : meta.path("run_id").asText("?");
  }

  static JsonNode parse(String metadata) {
    try {
      return JSON.readTree(metadata);
    } catch (IOException e) {
      return null;
    }
  }

  /** Deletes every row of run {@code runId} on this date from {@code target}, in one commit. */
  void removeRun(String target, String runId, ObjectNode metadata) {
    StructType schema =
        target.equals(quarantineTable) ? QuarantineSchema.of(keys) : PredictionSchema.of(keys);
    ObjectNode info = metadata.deepCopy();
    info.put("removes_run", runId);
    info.put("commit_id", UUID.randomUUID().toString());
    spark
        .createDataFrame(new ArrayList<Row>(), schema)
        .write()
        .format("delta")
        .mode(SaveMode.Overwrite)
        .option("replaceWhere", OwnedRows.of(ds, models) + " AND " + OwnedRows.run(runId))
        .option("userMetadata", info.toString())
        .save(target);
    LOG.warn(
        "rows of run {} removed from {}: another run owns this date's rows now", runId, target);
  }

  /** The schema of the Delta table at {@code target} now. */
  StructType schemaOf(String target) {
    return DeltaTable.forPath(spark, target).toDF().schema();
  }

  /**
   * The prediction rows made ready for {@code target}: when the table exists, aligned to its schema
   * ({@link TableSchema#align}); when they may hold a null {@code prediction} and the table holds
   * it {@code NOT NULL} (tables made before tasks without a prediction existed), the constraint is
   * dropped first, in a commit of its own.
   */
  Dataset<Row> evolve(String target, Dataset<Row> rows) {
    if (!DeltaTable.isDeltaTable(spark, target)) {
      return rows;
    }
    StructType existing = schemaOf(target);
    String p = PredictionSchema.PREDICTION;
    if (rows.schema().apply(p).nullable() && !existing.apply(p).nullable()) {
      spark.sql(
          "ALTER TABLE delta.`"
              + target.replace("`", "``")
              + "` ALTER COLUMN "
              + p
              + " DROP NOT NULL");
      LOG.warn(
          "{}: column {} may be null from now on (this run's models leave it null for some"
              + " tasks); it was NOT NULL",
          target,
          p);
      existing = schemaOf(target);
    }
    return TableSchema.align(rows, existing);
  }

  /**
   * One Delta commit replacing {@code owned}; returns the version it made, or null when there was
   * nothing to change.
   */
  Long replace(
      Dataset<Row> df,
      String target,
      String owned,
      List<String> partitionColumns,
      String info,
      String commitId,
      String statsColumns) {
    // A partitioned write sorts every row by the partition columns unless the writer may keep a
    // file open per partition value. A task's rows hold one ds and the job's model versions, so
    // one writer per version replaces a sort of all the rows (time, and memory that grows with the
    // input) with a few open files; Spark falls back to sorting if a task ever needs more.
    String key = "spark.sql.maxConcurrentOutputFileWriters";
    int writers = Math.max(SessionConf.intOr(spark, key, 0), models.size() + 1);
    SessionConf.with(
        spark,
        key,
        Integer.toString(writers),
        () -> {
          DataFrameWriter<Row> w =
              df.write()
                  .format("delta")
                  .mode(SaveMode.Overwrite)
                  .option("replaceWhere", owned)
                  .option("userMetadata", info);
          if (DeltaTable.isDeltaTable(spark, target)
              && TableSchema.adds(schemaOf(target), df.schema())) {
            // new optional columns or outputs fields (a task or output this table had not seen)
            w = w.option("mergeSchema", "true");
          }
          if (statsColumns != null) {
            w = w.option("delta.dataSkippingStatsColumns", statsColumns);
          }
          w.partitionBy(partitioning(target, partitionColumns)).save(target);
          return null;
        });
    long version = CommitLog.versionOf(spark, target, commitId);
    // Delta skips a commit that neither adds nor removes a file: nothing of ours was there and
    // nothing is new (an empty chunk, a rerun with no rejects). The table is as it was.
    return version < 0 ? null : version;
  }

  /**
   * The partition columns to write {@code target} with: an existing table's own (tables made before
   * model names became a partition column keep {@code ds, model_version}), else {@code columns}.
   */
  String[] partitioning(String target, List<String> columns) {
    if (DeltaTable.isDeltaTable(spark, target)) {
      List<String> existing =
          DeltaTable.forPath(spark, target).detail().select("partitionColumns").head().getList(0);
      return existing.toArray(new String[0]);
    }
    return columns.toArray(new String[0]);
  }

  /**
   * The columns a new prediction table keeps Delta file statistics on: the keys (lookups by key)
   * and the prediction and time (filters on them). The per-row string columns (model name, digest,
   * run id) hold one value per partition, so min/max statistics on them skip nothing, while
   * collecting them compared every row's strings (Delta's statistics tracker was about a sixth of
   * the Java CPU samples of an end-to-end run on a small model, in a profile of scripts/bench
   * scoring).
   */
  static String statsColumns(List<KeyColumn> keys) {
    List<String> cols = new ArrayList<>();
    for (KeyColumn k : keys) {
      if (k.type() instanceof AtomicType) {
        cols.add(k.name());
      }
    }
    cols.add(PredictionSchema.PREDICTION);
    cols.add(PredictionSchema.SCORED_AT);
    return String.join(",", cols);
  }

  /**
   * Puts the quarantine table's {@code owned} rows back as they were before {@code version}, our
   * own commit (a commit of its own; rows of other dates and versions are not touched). When
   * another run has committed those rows since, putting them back would wipe that run's rows: then
   * only this run's rows are removed.
   *
   * @return null when the rows were put back; otherwise what was done instead, for the error
   */
  String restore(long version, String owned, ObjectNode metadata, String runId) {
    String target = quarantineTable;
    try {
      CommitLog.Commit other = foreignCommit(target, version, Long.MAX_VALUE, runId);
      if (other != null) {
        removeRun(target, runId, metadata);
        LOG.error(
            "the quarantine rows run {} replaced in {} were not put back: run {} committed there"
                + " since (version {}), and its rows were kept",
            runId,
            target,
            runIdOf(other),
            other.version());
        return "the quarantine rows this run replaced in "
            + target
            + " were not put back, as run "
            + runIdOf(other)
            + " committed there since";
      }
      Dataset<Row> before =
          version == 0
              ? spark.createDataFrame(new ArrayList<Row>(), QuarantineSchema.of(keys))
              : spark
                  .read()
                  .format("delta")
                  .option("versionAsOf", version - 1)
                  .load(target)
                  .where(owned);
      ObjectNode info = metadata.deepCopy();
      info.put("restores_version", version - 1);
      info.put("commit_id", UUID.randomUUID().toString());
      before
          .write()
          .format("delta")
          .mode(SaveMode.Overwrite)
          .option("replaceWhere", owned)
          .option("userMetadata", info.toString())
          .save(target);
      LOG.warn("rows of this run in {} put back as of version {}", target, version - 1);
      return null;
    } catch (RuntimeException e) {
      LOG.error(
          "could not put back the rows of {} as of version {} ({}); rerun this ds to fix them",
          target,
          version - 1,
          InferlakeException.rootMessage(e));
      return "the quarantine rows of " + target + " could not be put back; rerun this ds";
    }
  }
}
