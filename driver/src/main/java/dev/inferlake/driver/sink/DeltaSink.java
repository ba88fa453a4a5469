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
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta Lake sink: each chunk is one Delta commit to the quarantine table (when there is
 * anything to quarantine) and one to the prediction table, each an overwrite with {@code
 * replaceWhere} of exactly the rows the run owns, so a rerun of a date replaces its own rows and
 * nothing else.
 *
 * <p>A commit that loses a race with another run on the same rows fails with exit 5, or is retried
 * when the job says so; Delta detects the race, so two runs never both land. Commits carry the
 * run's provenance as {@code userMetadata}, with a commit id by which the sink finds its own commit
 * again; a resumable run finds its unfinished predecessor the same way.
 */
public final class DeltaSink implements PredictionSink {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaSink.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final String table;
  private final String quarantineTable;
  private final LocalDate ds;
  private final List<ModelVersion> models;
  private final List<KeyColumn> keys;
  private final int conflictRetries;

  /** The prediction table's version of this run's latest chunk; -1 before the first. */
  private long lastChunkVersion = -1;

  /** Runs between the quarantine and the prediction commit: a seam for tests placing a race. */
  Runnable afterQuarantineCommit = () -> {};

  /**
   * A sink for one run.
   *
   * @param table the prediction table's path
   * @param quarantineTable the quarantine table's path
   * @param conflictRetries how often a commit that lost a race is tried again (0: fail at once)
   * @param ds the run date
   * @param models the model versions whose rows the run owns
   * @param keys the input's key columns, as the scored rows hold them
   */
  public DeltaSink(
      SparkSession spark,
      String table,
      String quarantineTable,
      int conflictRetries,
      LocalDate ds,
      List<ModelVersion> models,
      List<KeyColumn> keys) {
    this.spark = spark;
    this.table = table;
    this.quarantineTable = quarantineTable;
    this.conflictRetries = conflictRetries;
    this.ds = ds;
    this.models = List.copyOf(models);
    this.keys = List.copyOf(keys);
  }

  @Override
  public String table() {
    return table;
  }

  /** Names the rows a run owns (its date and model versions), to recognize earlier runs of it. */
  static String owner(List<ModelVersion> models) {
    return models.stream().map(ModelVersion::label).sorted().collect(Collectors.joining(","));
  }

  @Override
  public ChunkPlan planChunks(Supplier<String[]> inputFiles, int chunks, String newRunId) {
    if (chunks == 1) {
      return ChunkPlan.single(newRunId);
    }
    List<CommitLog.Commit> history =
        DeltaTable.isDeltaTable(spark, table) ? CommitLog.commits(spark, table, 1000, null) : null;
    return ChunkPlan.plan(ds, owner(models), inputFiles.get(), chunks, newRunId, history);
  }

  @Override
  public Commit commit(ChunkWrite write) {
    ChunkPlan plan = write.plan();
    String runId = OwnedRows.checkRunId(plan.runId());
    String owned = OwnedRows.of(ds, models);
    String quarantineOwned = owned;
    ObjectNode meta = write.metadata();
    meta.put("run_id", runId).put("ds", ds.toString()).put("owner", owner(models));
    boolean laterChunk = plan.size() > 1 && write.chunk() > 0;
    if (plan.size() > 1) {
      meta.putObject("resume")
          .put("plan", plan.digest())
          .put("chunk", write.chunk())
          .put("chunks", plan.size());
    }
    if (!laterChunk) {
      Commit c = commitWithRetries(write, owned, quarantineOwned);
      lastChunkVersion = c.predictionVersion();
      return c;
    }
    // Later chunks replace only their own rows: earlier chunks of the run stay. So a run that
    // replaced this date's rows since the previous chunk must stop this one, or its rows and ours
    // would both stay.
    owned += " AND " + OwnedRows.chunk(runId, PredictionSchema.SCORED_AT, write.startMicros());
    quarantineOwned +=
        " AND " + OwnedRows.chunk(runId, QuarantineSchema.QUARANTINED_AT, write.startMicros());
    long since = lastChunkVersion >= 0 ? lastChunkVersion : plan.resumedAfter();
    CommitLog.Commit other = foreignCommit(table, since, Long.MAX_VALUE, runId);
    if (other != null) {
      throw SinkErrors.interleaved(
          table, ds, runId, write.chunk(), runIdOf(other), other.version());
    }
    Commit c = commitWithRetries(write, owned, quarantineOwned);
    // one that committed after the check but before this commit read the table
    other = foreignCommit(table, since, c.predictionVersion(), runId);
    if (other != null) {
      removeRun(table, runId, meta);
      if (c.quarantineVersion() != null) {
        removeRun(quarantineTable, runId, meta);
      }
      throw SinkErrors.interleaved(
          table, ds, runId, write.chunk(), runIdOf(other), other.version());
    }
    lastChunkVersion = c.predictionVersion();
    return c;
  }

  private Commit commitWithRetries(ChunkWrite write, String owned, String quarantineOwned) {
    boolean tableIsNew = !DeltaTable.isDeltaTable(spark, table);
    String runId = write.plan().runId();
    for (int attempt = 1; ; attempt++) {
      String commitId = UUID.randomUUID().toString();
      write.metadata().put("commit_id", commitId);
      String info = write.metadata().toString();
      Long quarantineVersion = null;
      try {
        if (write.quarantine() != null) {
          quarantineVersion =
              replace(
                  write.quarantine(),
                  quarantineTable,
                  quarantineOwned,
                  QuarantineSchema.PARTITION_COLUMNS,
                  info,
                  commitId,
                  null);
          afterQuarantineCommit.run();
        }
        Long version =
            replace(
                write.predictions(),
                table,
                owned,
                PredictionSchema.PARTITION_COLUMNS,
                info,
                commitId,
                tableIsNew ? statsColumns(keys) : null);
        if (version == null) {
          version = CommitLog.latestVersion(spark, table);
        }
        return new Commit(version, quarantineVersion);
      } catch (Exception e) { // Scala code throws checked SparkExceptions undeclared
        String kept = null;
        if (quarantineVersion != null) {
          kept = restore(quarantineVersion, quarantineOwned, write.metadata(), runId);
        }
        ConcurrentModificationException conflict = conflictIn(e);
        if (conflict == null) {
          InferlakeException cause = InferlakeException.findIn(e);
          String note = kept == null ? "" : "; " + kept;
          if (cause != null) {
            throw new InferlakeException(cause.kind(), cause.getMessage() + note, e);
          }
          throw SinkErrors.writeFailed(table, InferlakeException.rootMessage(e) + note, e);
        }
        // The first commits to a new table race to create it even for different dates.
        boolean again = attempt <= conflictRetries || (tableIsNew && attempt == 1);
        String why = conflict.getClass().getSimpleName();
        if (!again) {
          throw SinkErrors.commitConflict(table, ds, why, attempt, e);
        }
        long backoff =
            (500L << Math.min(attempt - 1, 5)) + ThreadLocalRandom.current().nextLong(500);
        LOG.warn(
            "commit to {} for ds={} lost a race with another run ({}); attempt {} in {} ms",
            table,
            ds,
            why,
            attempt + 1,
            backoff);
        sleep(backoff);
      }
    }
  }

  /**
   * The newest commit to {@code target} between {@code after} and {@code before} (exclusive) by
   * another run that owns some of this run's rows on its date; null when there is none.
   */
  private CommitLog.Commit foreignCommit(String target, long after, long before, String runId) {
    String owner = owner(models);
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

  private static String runIdOf(CommitLog.Commit c) {
    JsonNode meta = parse(c.metadata());
    return meta == null ? "?" : meta.path("run_id").asText("?");
  }

  private static JsonNode parse(String metadata) {
    try {
      return JSON.readTree(metadata);
    } catch (IOException e) {
      return null;
    }
  }

  /** Deletes every row of run {@code runId} on this date from {@code target}, in one commit. */
  private void removeRun(String target, String runId, ObjectNode metadata) {
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

  /**
   * One Delta commit replacing {@code owned}; returns the version it made, or null when there was
   * nothing to change.
   */
  private Long replace(
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
  private String[] partitioning(String target, List<String> columns) {
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
  private String restore(long version, String owned, ObjectNode metadata, String runId) {
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

  @Override
  public Written written(String runId, Commit last) {
    Map<String, Long> predicted = countByVersion(table, last.predictionVersion(), runId);
    Map<String, Long> quarantined =
        last.quarantineVersion() == null
            ? Map.of()
            : countByVersion(quarantineTable, last.quarantineVersion(), runId);
    // Rows in and rows rejected, as counted by each commit's validation pass and stored in its
    // metadata (a resumed run's earlier chunks included).
    long rowsIn = 0;
    Map<String, Long> invalid = new TreeMap<>();
    boolean counted = false;
    for (CommitLog.Commit c :
        CommitLog.commits(spark, table, 1000, "\"run_id\":\"" + runId + "\"")) {
      JsonNode meta;
      try {
        meta = JSON.readTree(c.metadata());
      } catch (IOException e) {
        throw new IllegalStateException("unreadable commit metadata in " + table, e);
      }
      if (meta.has("rows_in")) {
        counted = true;
        rowsIn += meta.get("rows_in").asLong();
        meta.path("invalid")
            .fields()
            .forEachRemaining(e -> invalid.merge(e.getKey(), e.getValue().asLong(), Long::sum));
      }
    }
    return new Written(predicted, quarantined, counted ? rowsIn : -1, invalid);
  }

  @Override
  public long ownedRows() {
    if (!DeltaTable.isDeltaTable(spark, table)) {
      return 0;
    }
    return spark.read().format("delta").load(table).where(OwnedRows.of(ds, models)).count();
  }

  @Override
  public Dataset<Row> committed(String runId, Commit last) {
    return spark
        .read()
        .format("delta")
        .option("versionAsOf", last.predictionVersion())
        .load(table)
        .where(functions.col(PredictionSchema.RUN_ID).equalTo(runId));
  }

  /** Rows of run {@code runId} per {@code name:version} in {@code target} at {@code version}. */
  private Map<String, Long> countByVersion(String target, long version, String runId) {
    Map<String, Long> counts = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .option("versionAsOf", version)
            .load(target)
            .where(functions.col(PredictionSchema.RUN_ID).equalTo(runId))
            .groupBy(PredictionSchema.MODEL_NAME, PredictionSchema.MODEL_VERSION)
            .count()
            .collectAsList()) {
      counts.put(r.getString(0) + ":" + r.getString(1), r.getLong(2));
    }
    return counts;
  }

  private static ConcurrentModificationException conflictIn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConcurrentModificationException cme) {
        return cme;
      }
    }
    return null;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry a commit", e);
    }
  }
}
