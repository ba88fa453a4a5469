package dev.inferlake.driver.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.CommitLog;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
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
  private final DeltaWrites writes;

  /** The prediction table's version of this run's latest chunk; -1 before the first. */
  private long lastChunkVersion = -1;

  /** Whether a commit replaces only this run's rows, keeping earlier runs' rows of the date. */
  private boolean keepEarlierRuns;

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
    this.writes = new DeltaWrites(spark, quarantineTable, ds, this.models, this.keys);
  }

  /**
   * This sink, made to keep the rows earlier runs wrote for the date and versions: each commit
   * replaces only this run's own rows. For runs that score only what is not scored yet ({@code
   * skip_scored}), whose rows complete the date's rather than replace them.
   */
  public DeltaSink keepingEarlierRuns() {
    this.keepEarlierRuns = true;
    return this;
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
  public void prepare(StructType schema) {
    if (DeltaTable.isDeltaTable(spark, table)) {
      TableSchema.check(table, writes.schemaOf(table), schema);
    }
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
    if (keepEarlierRuns) {
      owned += " AND " + OwnedRows.run(runId);
    }
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
    CommitLog.Commit other = writes.foreignCommit(table, since, Long.MAX_VALUE, runId);
    if (other != null) {
      throw SinkErrors.interleaved(
          table, ds, runId, write.chunk(), DeltaWrites.runIdOf(other), other.version());
    }
    Commit c = commitWithRetries(write, owned, quarantineOwned);
    // one that committed after the check but before this commit read the table
    other = writes.foreignCommit(table, since, c.predictionVersion(), runId);
    if (other != null) {
      writes.removeRun(table, runId, meta);
      if (c.quarantineVersion() != null) {
        writes.removeRun(quarantineTable, runId, meta);
      }
      throw SinkErrors.interleaved(
          table, ds, runId, write.chunk(), DeltaWrites.runIdOf(other), other.version());
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
              writes.replace(
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
            writes.replace(
                writes.evolve(table, write.predictions()),
                table,
                owned,
                PredictionSchema.PARTITION_COLUMNS,
                info,
                commitId,
                tableIsNew ? DeltaWrites.statsColumns(keys) : null);
        if (version == null) {
          version = CommitLog.latestVersion(spark, table);
        }
        return new Commit(version, quarantineVersion);
      } catch (Exception e) { // Scala code throws checked SparkExceptions undeclared
        String kept = null;
        if (quarantineVersion != null) {
          kept = writes.restore(quarantineVersion, quarantineOwned, write.metadata(), runId);
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
