package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.job.RunRecords.RunState;
import dev.inferlake.driver.sink.DeltaSink;
import dev.inferlake.driver.sink.IncrementalWrites;
import dev.inferlake.driver.sink.ModelVersion;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.CommitLog;
import dev.inferlake.reports.RunSummary;
import dev.inferlake.reports.RunsTable;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run of {@code input.mode: incremental}: each model version scores the rows its Delta input
 * gained since that version's last run, through Structured Streaming's Delta source with {@code
 * Trigger.AvailableNow} and a checkpoint of its own ({@code <checkpoint>/<name>/<version>}). A
 * version without a checkpoint yet (a new version added to the job) starts from the table's current
 * snapshot: it backfills every existing row once, and its later runs take only new rows.
 *
 * <p>Each micro-batch is scored as a batch run scores a chunk ({@link ChunkScorer}: the same
 * planner, partition scorer, bad-row handling and metrics) and appended as an idempotent Delta
 * transaction ({@link IncrementalWrites}: {@code txnAppId} per checkpoint, {@code txnVersion} the
 * micro-batch id), so a run that dies after committing a micro-batch but before the checkpoint
 * recorded it is resumed by the next run without duplicating a row. A run with no new rows commits
 * nothing to the prediction table. The runs table gets one row per version, as for batch runs.
 */
final class IncrementalRun {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringJob.RUN_LOGGER);

  /** The file in a version's checkpoint folder holding the Delta transaction id of its appends. */
  static final String APP_ID_FILE = "inferlake-txn-app-id";

  private final SparkSession spark;
  private final Clock clock;
  private final ScoringJob job;

  IncrementalRun(SparkSession spark, Clock clock, ScoringJob job) {
    this.spark = spark;
    this.clock = clock;
    this.job = job;
  }

  /** What one version's micro-batches of this run committed. */
  private static final class Counts {
    long rowsIn;
    long predicted;
    long quarantined;
    long skipped;
    int batches;
  }

  RunSummary run(
      JobSpec spec, LocalDate ds, RunState state, RunRecords records, List<ResolvedModel> models) {
    state.models = models;
    state.input = spec.input().path();
    JobInput input = JobInput.read(spark, spec, models, false);
    String runId = UUID.randomUUID().toString();
    state.runId = runId;
    String group = "inferlake-" + runId;
    state.taskTime = new TaskTime(spark.sparkContext(), group);
    JobSpec.Output out = spec.output();
    Map<String, Counts> counts = new TreeMap<>();
    try (ModelShipping shipping = ModelShipping.ship(job.jsc(), spec, models, input)) {
      List<ModelVersion> versions =
          models.stream().map(m -> new ModelVersion(m.spec().name(), m.spec().version())).toList();
      new DeltaSink(
              spark, out.table(), out.quarantineTableOrDefault(), 0, ds, versions, input.keys())
          .prepare(shipping.schema(input.keys()));
      spark.sparkContext().setJobGroup(group, "inferlake incremental run " + runId, false);
      try {
        for (int i = 0; i < models.size(); i++) {
          Counts c = new Counts();
          counts.put(models.get(i).spec().label(), c);
          stream(spec, ds, state, input, models.get(i), shipping.models().get(i), c, group);
        }
      } finally {
        spark.sparkContext().clearJobGroup();
      }
    }
    Instant end = clock.instant();
    List<RunSummary.VersionRows> rows = new ArrayList<>();
    Map<String, Long> rowsIn = new TreeMap<>();
    long maxIn = 0;
    for (ResolvedModel m : models) {
      Counts c = counts.get(m.spec().label());
      rows.add(
          new RunSummary.VersionRows(
              m.spec().name(),
              m.spec().version(),
              m.manifest().sha256(),
              c.predicted,
              c.quarantined,
              c.skipped));
      rowsIn.put(m.spec().label(), c.rowsIn);
      maxIn = Math.max(maxIn, c.rowsIn);
    }
    long tableVersion =
        DeltaTable.isDeltaTable(spark, out.table())
            ? CommitLog.latestVersion(spark, out.table())
            : -1;
    RunSummary summary =
        records.summary(
            runId, Duration.between(state.start, end), out.table(), tableVersion, maxIn, rows);
    LOG.info(summary.logLine());
    try {
      RunsTable.append(
          spark, out.runsTableOrDefault(), records.succeeded(summary, end, Map.of(), rowsIn));
    } catch (RuntimeException e) {
      LOG.error("run {}: its predictions are committed, but the runs table was not", runId, e);
    }
    return summary;
  }

  /** Runs one version's stream until every row of the input's latest commit is scored. */
  private void stream(
      JobSpec spec,
      LocalDate ds,
      RunState state,
      JobInput input,
      ResolvedModel model,
      ScoredModel scored,
      Counts counts,
      String group) {
    String label = model.spec().label();
    String checkpoint = checkpoint(spec, model);
    String appId = appId(checkpoint);
    JobSpec.Output out = spec.output();
    OnInvalid onInvalid = spec.onInvalidOrDefault();
    FaultInjection faults = job.faults();
    // Micro-batches of new files keep Spark's splits unless the job sets its partitioning: a
    // metadata plan reads the whole table's statistics and the runs table for a few files.
    InputPlanner planner =
        spec.partitioning() == null
            ? InputPlanner.fileSplits(spark, spec)
            : job.planner(spec, null, List.of(model));
    ChunkScorer scorer = new ChunkScorer(spark, spec, group, planner);
    IncrementalWrites writes =
        new IncrementalWrites(
            spark,
            out.table(),
            out.quarantineTableOrDefault(),
            ds,
            new ModelVersion(model.spec().name(), model.spec().version()),
            input.keys());
    VoidFunction2<Dataset<Row>, Long> batch =
        (rows, batchId) -> {
          long startMicros = ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant());
          ScoringSpec scoring =
              job.scoringSpec(
                  spec,
                  ds,
                  List.of(scored),
                  input.keys(),
                  state.runId,
                  startMicros,
                  onInvalid,
                  faults);
          ObjectNode info = Provenance.of(spark, spec, ds, state.runId, List.of(model), null);
          info.putObject("incremental")
              .put("checkpoint", checkpoint)
              .put("txn_app_id", appId)
              .put("batch", batchId);
          try (ChunkScorer.Scored chunk = scorer.score(rows, scoring, state.metrics, info)) {
            long in = chunk.rowsIn() >= 0 ? chunk.rowsIn() : rows.count();
            long invalid = chunk.invalid().getOrDefault(label, 0L);
            Dataset<Row> quarantine = onInvalid == OnInvalid.QUARANTINE ? chunk.rejects() : null;
            boolean committed =
                writes.append(chunk.predictions(), quarantine, appId, batchId, info);
            if (committed) {
              counts.rowsIn += in;
              counts.predicted += in - invalid;
              if (onInvalid == OnInvalid.QUARANTINE) {
                counts.quarantined += invalid;
              } else {
                counts.skipped += invalid;
              }
            } else {
              LOG.info(
                  "run {}: {} micro-batch {} was committed by an earlier run; skipped",
                  state.runId,
                  label,
                  batchId);
            }
          }
          LOG.info("run {}: {} micro-batch {} done", state.runId, label, batchId);
          if (faults.stopAfterChunk() == counts.batches++) {
            throw new InferlakeException(
                ErrorKind.RUN,
                "stopped after micro-batch "
                    + batchId
                    + " of "
                    + label
                    + " as "
                    + FaultInjection.CONF
                    + " asks; a rerun goes on from the checkpoint");
          }
        };
    DataStreamReader reader = spark.readStream().format("delta");
    if (spec.input().maxFilesPerBatch() != null) {
      reader = reader.option("maxFilesPerTrigger", spec.input().maxFilesPerBatch());
    }
    Dataset<Row> source =
        reader
            .load(spec.input().path())
            .select(
                java.util.Arrays.stream(input.projected().columns())
                    .map(org.apache.spark.sql.functions::col)
                    .toArray(org.apache.spark.sql.Column[]::new));
    StreamingQuery query;
    try {
      query =
          source
              .writeStream()
              .queryName("inferlake-" + label.replace(':', '-'))
              .trigger(Trigger.AvailableNow())
              .option("checkpointLocation", checkpoint)
              .foreachBatch(batch)
              .start();
      query.awaitTermination();
    } catch (Exception e) { // StreamingQueryException, TimeoutException: checked, from Scala
      InferlakeException own = InferlakeException.findIn(e);
      if (own != null) {
        throw new InferlakeException(own.kind(), own.getMessage(), e);
      }
      throw new InferlakeException(
          ErrorKind.RUN,
          "incremental run of "
              + label
              + " over "
              + spec.input().path()
              + " failed (checkpoint "
              + checkpoint
              + "): "
              + InferlakeException.rootMessage(e),
          e);
    }
    LOG.info(
        "run {}: {} scored {} new input row(s) in {} micro-batch(es); checkpoint {}",
        state.runId,
        label,
        counts.rowsIn,
        counts.batches,
        checkpoint);
  }

  /** The checkpoint folder of one version: {@code <input.checkpoint>/<name>/<version>}. */
  static String checkpoint(JobSpec spec, ResolvedModel model) {
    String base = spec.input().checkpoint();
    if (base == null) {
      String t = spec.output().table();
      base = (t.endsWith("/") ? t.substring(0, t.length() - 1) : t) + "_checkpoints";
    }
    return base + "/" + model.spec().name() + "/" + model.spec().version();
  }

  /**
   * The Delta transaction id of a checkpoint's appends, made when the checkpoint is: a checkpoint
   * deleted and made again starts its micro-batch ids at 0, which Delta would take for replays of
   * the old one's, so each checkpoint has an id of its own.
   */
  private String appId(String checkpoint) {
    Path file = new Path(checkpoint, APP_ID_FILE);
    try {
      FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(file)) {
        fs.mkdirs(file.getParent());
        try (OutputStream o = fs.create(file, false)) {
          o.write(("inferlake-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        }
      }
      try (InputStream in = fs.open(file)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    } catch (IOException e) {
      throw new InferlakeException(
          ErrorKind.RUN, "cannot read or make " + file + ": " + e.getMessage(), e);
    }
  }
}
