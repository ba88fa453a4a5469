package dev.inferlake.driver.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.job.InputPlanner;
import dev.inferlake.driver.job.JobErrors;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.SessionConf;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.PartitionScorer;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.model.InferlakeException;
import io.delta.tables.DeltaTable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one commit's worth of a run (the whole run, or one chunk of a resumable run): checks the
 * rows (unless {@code on_invalid: fail}), then commits the quarantine table and the prediction
 * table, each in one Delta commit that replaces exactly the rows this commit owns.
 *
 * <p>Nothing half-written stays visible: if the prediction commit fails after the quarantine
 * commit, the quarantine table's owned rows are put back as they were. A commit that loses a race
 * with another run on the same rows fails with exit 5 (or is retried when the job says so); Delta
 * detects the race, so two runs never both land.
 */
public final class RunWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RunWriter.class);
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private final InputPlanner planner;
  private final SparkSession spark;
  private final JobSpec spec;
  private final LocalDate ds;
  private final String group;

  /** What one commit wrote. */
  public record Outcome(
      long predictionVersion, Long quarantineVersion, long rowsIn, Map<String, Long> invalid) {
    Outcome withCounts(long rows, Map<String, Long> invalidRows) {
      return new Outcome(predictionVersion, quarantineVersion, rows, Map.copyOf(invalidRows));
    }
  }

  /**
   * @param group the run's Spark job group; the scoring RDD is named after it
   */
  public RunWriter(
      SparkSession spark, JobSpec spec, LocalDate ds, String group, InputPlanner planner) {
    this.spark = spark;
    this.planner = planner;
    this.spec = spec;
    this.ds = ds;
    this.group = group;
  }

  /**
   * The rows a run of {@code models} on {@code ds} owns in the prediction or quarantine table.
   * Partition columns come first, as their own conjuncts, so Delta's conflict detection sees that
   * runs of other dates or versions touch other partitions. Names are validated identifiers.
   */
  public static String ownedRows(LocalDate ds, List<JobSpec.Model> models) {
    String versions =
        models.stream()
            .map(m -> "'" + m.version() + "'")
            .distinct()
            .collect(Collectors.joining(", "));
    String pairs =
        models.stream()
            .map(
                m ->
                    "("
                        + PredictionSchema.MODEL_NAME
                        + " = '"
                        + m.name()
                        + "' AND "
                        + PredictionSchema.MODEL_VERSION
                        + " = '"
                        + m.version()
                        + "')")
            .collect(Collectors.joining(" OR "));
    return PredictionSchema.DS
        + " = DATE'"
        + ds
        + "' AND "
        + PredictionSchema.MODEL_VERSION
        + " IN ("
        + versions
        + ") AND ("
        + pairs
        + ")";
  }

  /**
   * The rows of one chunk of a resumable run: the run's rows stamped with the chunk's start time.
   * Replacing them deletes nothing of earlier chunks, but still reads the run's partitions, so a
   * concurrent run on them conflicts.
   */
  public static String chunkRows(String runId, String timeColumn, long startMicros) {
    Instant t = Instant.EPOCH.plusNanos(startMicros * 1000);
    return PredictionSchema.RUN_ID
        + " = '"
        + runId
        + "' AND "
        + timeColumn
        + " = TIMESTAMP'"
        + TS.format(t)
        + "'";
  }

  /**
   * Scores {@code input} and commits it.
   *
   * @param owned the rows of the prediction table this commit replaces (and of the quarantine
   *     table, with {@code quarantined_at} for {@code scored_at})
   * @param commitInfo the commit metadata; counts and a commit id are added
   */
  public Outcome write(
      Dataset<Row> input,
      ScoringSpec scoring,
      ScoringMetrics metrics,
      String owned,
      String quarantineOwned,
      ObjectNode commitInfo) {
    PartitionScorer scorer = new PartitionScorer(scoring, metrics);
    InputPlanner.Planned planned = planner.plan(input);
    JavaRDD<InternalRow> rows = planned.rows();
    if (planned.plan() != null) {
      commitInfo
          .putObject("plan")
          .put("partitions", planned.plan().size())
          .put("rows_min", planned.plan().minRows())
          .put("rows_median", planned.plan().medianRows())
          .put("rows_max", planned.plan().maxRows())
          .put("slots", planned.plan().slots().count());
    }
    Dataset<Row> rejects = null;
    long rowsIn = -1;
    Map<String, Long> invalid = new java.util.TreeMap<>();
    OnInvalid onInvalid = scoring.onInvalid();
    try {
      if (onInvalid != OnInvalid.FAIL) {
        JavaRDD<InternalRow> r = rows.mapPartitions(scorer::rejects);
        r.setName(group + "-validate");
        rejects =
            spark
                .internalCreateDataFrame(r.rdd(), QuarantineSchema.of(scoring.keys()), false)
                .persist(StorageLevel.MEMORY_AND_DISK());
        rowsIn = input.count();
        for (Row c :
            rejects
                .groupBy(QuarantineSchema.MODEL_NAME, QuarantineSchema.MODEL_VERSION)
                .count()
                .collectAsList()) {
          invalid.put(c.getString(0) + ":" + c.getString(1), c.getLong(2));
        }
        checkInvalidShare(rejects, rowsIn, invalid);
        commitInfo.put("rows_in", rowsIn);
        commitInfo.putPOJO("invalid", invalid);
        commitInfo.put("on_invalid", onInvalid.specName());
      }
      return commitWithRetries(rows, scorer, scoring, rejects, owned, quarantineOwned, commitInfo)
          .withCounts(rowsIn, invalid);
    } finally {
      if (rejects != null) {
        rejects.unpersist();
      }
    }
  }

  private void checkInvalidShare(Dataset<Row> rejects, long rowsIn, Map<String, Long> invalid) {
    double limit = spec.maxInvalidFractionOrDefault();
    for (Map.Entry<String, Long> e : invalid.entrySet()) {
      if (e.getValue() > limit * rowsIn) {
        String[] nv = e.getKey().split(":", 2);
        StringJoiner examples = new StringJoiner("; ");
        List<String> keys = spec.input().key();
        for (Row r :
            rejects
                .where(
                    functions
                        .col(QuarantineSchema.MODEL_NAME)
                        .equalTo(nv[0])
                        .and(functions.col(QuarantineSchema.MODEL_VERSION).equalTo(nv[1])))
                .limit(3)
                .collectAsList()) {
          StringJoiner k = new StringJoiner(", ");
          for (String key : keys) {
            k.add(key + "=" + r.getAs(key));
          }
          examples.add(
              k
                  + ": "
                  + r.getAs(QuarantineSchema.REASON)
                  + " in '"
                  + r.getAs(QuarantineSchema.COLUMN)
                  + "' ("
                  + r.getAs(QuarantineSchema.VALUE)
                  + ")");
        }
        throw JobErrors.tooManyInvalid(
            e.getKey(), e.getValue(), rowsIn, limit, examples.toString());
      }
    }
  }

  private Outcome commitWithRetries(
      JavaRDD<InternalRow> rows,
      PartitionScorer scorer,
      ScoringSpec scoring,
      Dataset<Row> rejects,
      String owned,
      String quarantineOwned,
      ObjectNode commitInfo) {
    String table = spec.output().table();
    String quarantine = spec.output().quarantineTableOrDefault();
    boolean tableIsNew = !DeltaTable.isDeltaTable(spark, table);
    int retries = spec.output().conflictRetriesOrDefault();
    for (int attempt = 1; ; attempt++) {
      String commitId = UUID.randomUUID().toString();
      commitInfo.put("commit_id", commitId);
      String info = commitInfo.toString();
      Long quarantineVersion = null;
      try {
        if (rejects != null && scoring.onInvalid() == OnInvalid.QUARANTINE) {
          quarantineVersion =
              commit(
                  rejects,
                  quarantine,
                  quarantineOwned,
                  QuarantineSchema.PARTITION_COLUMNS,
                  info,
                  commitId,
                  null);
        }
        JavaRDD<InternalRow> predictions = rows.mapPartitions(scorer::score);
        predictions.setName(group); // the progress line follows the stages that run it
        // InternalRows straight into a DataFrame: no per-value conversion to Rows and back.
        Dataset<Row> df =
            spark.internalCreateDataFrame(
                predictions.rdd(), PredictionSchema.of(scoring.keys()), false);
        Long version =
            commit(
                df,
                table,
                owned,
                PredictionSchema.PARTITION_COLUMNS,
                info,
                commitId,
                tableIsNew ? statsColumns(scoring) : null);
        if (version == null) {
          version = CommitLog.latestVersion(spark, table);
        }
        return new Outcome(version, quarantineVersion, -1, Map.of());
      } catch (Exception e) { // Scala code throws checked SparkExceptions undeclared
        if (quarantineVersion != null) {
          restore(
              quarantine,
              quarantineVersion,
              quarantineOwned,
              QuarantineSchema.of(scoring.keys()),
              commitInfo);
        }
        java.util.ConcurrentModificationException conflict = conflictIn(e);
        if (conflict == null) {
          InferlakeException cause = InferlakeException.findIn(e);
          if (cause != null) {
            throw new InferlakeException(cause.kind(), cause.getMessage(), e);
          }
          throw JobErrors.writeFailed(table, JobErrors.rootMessage(e), e);
        }
        // The first commits to a new table race to create it even for different dates.
        boolean again = attempt <= retries || (tableIsNew && attempt == 1);
        String why = conflict.getClass().getSimpleName();
        if (!again) {
          throw JobErrors.commitConflict(table, ds, why, attempt, e);
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
   * One Delta commit replacing {@code owned}; returns the version it made, or null when there was
   * nothing to change.
   */
  private Long commit(
      Dataset<Row> df,
      String table,
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
    int writers = Math.max(SessionConf.intOr(spark, key, 0), spec.models().size() + 1);
    SessionConf.with(
        spark,
        key,
        Integer.toString(writers),
        () -> {
          org.apache.spark.sql.DataFrameWriter<Row> w =
              df.write()
                  .format("delta")
                  .mode(SaveMode.Overwrite)
                  .option("replaceWhere", owned)
                  .option("userMetadata", info);
          if (statsColumns != null) {
            w = w.option("delta.dataSkippingStatsColumns", statsColumns);
          }
          w.partitionBy(partitionColumns.toArray(new String[0])).save(table);
          return null;
        });
    long version = CommitLog.versionOf(spark, table, commitId);
    // Delta skips a commit that neither adds nor removes a file: nothing of ours was there and
    // nothing is new (an empty chunk, a rerun with no rejects). The table is as it was.
    return version < 0 ? null : version;
  }

  /**
   * The columns a new prediction table keeps Delta file statistics on: the keys (lookups by key)
   * and the prediction and time (filters on them). The per-row string columns (model name, digest,
   * run id) hold one value per partition, so min/max statistics on them skip nothing, while
   * collecting them compared every row's strings (Delta's statistics tracker was about a sixth of
   * the Java CPU samples of an end-to-end run on a small model, in a profile of scripts/bench
   * scoring).
   */
  static String statsColumns(ScoringSpec scoring) {
    List<String> cols = new ArrayList<>();
    for (dev.inferlake.executors.KeyColumn k : scoring.keys()) {
      if (k.type() instanceof org.apache.spark.sql.types.AtomicType) {
        cols.add(k.name());
      }
    }
    cols.add(PredictionSchema.PREDICTION);
    cols.add(PredictionSchema.SCORED_AT);
    return String.join(",", cols);
  }

  /**
   * Puts {@code owned} rows of {@code table} back as they were before {@code version}, our own
   * commit (a commit of its own; rows of other dates and versions are not touched).
   */
  private void restore(
      String table, long version, String owned, StructType schema, ObjectNode commitInfo) {
    try {
      Dataset<Row> before =
          version == 0
              ? spark.createDataFrame(new ArrayList<Row>(), schema)
              : spark
                  .read()
                  .format("delta")
                  .option("versionAsOf", version - 1)
                  .load(table)
                  .where(owned);
      ObjectNode info = commitInfo.deepCopy();
      info.put("restores_version", version - 1);
      info.put("commit_id", UUID.randomUUID().toString());
      before
          .write()
          .format("delta")
          .mode(SaveMode.Overwrite)
          .option("replaceWhere", owned)
          .option("userMetadata", info.toString())
          .save(table);
      LOG.warn("rows of this run in {} put back as of version {}", table, version - 1);
    } catch (RuntimeException e) {
      LOG.error(
          "could not put back the rows of {} as of version {} ({}); rerun this ds to fix them",
          table,
          version - 1,
          JobErrors.rootMessage(e));
    }
  }

  private static java.util.ConcurrentModificationException conflictIn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.util.ConcurrentModificationException cme) {
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
