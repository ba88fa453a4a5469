package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.Versions;
import dev.inferlake.driver.sink.ChunkPlan;
import dev.inferlake.driver.sink.CommitLog;
import dev.inferlake.driver.sink.RunWriter;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.KeyRef;
import dev.inferlake.executors.ModelSource;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.executors.StorageModelSource;
import dev.inferlake.executors.VersionBatches;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.Evaluator;
import dev.inferlake.reports.Report;
import dev.inferlake.reports.ReportBuilder;
import dev.inferlake.reports.ReportRequest;
import dev.inferlake.reports.ReportWriter;
import dev.inferlake.reports.RunRecord;
import dev.inferlake.reports.RunSummary;
import dev.inferlake.reports.RunsTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scoring run: resolve and check every model against the input schema on the driver, score
 * every model version in one pass over the input, and write all predictions in one Delta commit.
 *
 * <p>Failures surface as {@link InferlakeException}s whose kind gives the exit code; nothing is
 * written unless every row was scored.
 */
public final class ScoringJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final Clock clock;
  private final java.io.PrintWriter progressOut;
  private final Duration progressEvery;

  public ScoringJob(SparkSession spark, Clock clock) {
    this(spark, clock, null, Duration.ZERO);
  }

  private ScoringJob(
      SparkSession spark, Clock clock, java.io.PrintWriter progressOut, Duration progressEvery) {
    this.spark = spark;
    this.clock = clock;
    this.progressOut = progressOut;
    this.progressEvery = progressEvery;
  }

  /**
   * This job, printing a progress line to {@code out} every {@code every} while scoring (zero: only
   * a last line).
   */
  public ScoringJob withProgress(java.io.PrintWriter out, Duration every) {
    return new ScoringJob(spark, clock, out, every);
  }

  /**
   * Runs {@code spec} for run date {@code ds} and returns what was written. When it ends, the run
   * appends its rows to the runs table (failed runs too, once they have a run id), and writes the
   * report if the job asks for one.
   */
  public RunSummary run(JobSpec spec, LocalDate ds) {
    RunState state = new RunState(clock.instant(), ScoringMetrics.register(spark.sparkContext()));
    try {
      return run(spec, ds, state);
    } catch (RuntimeException e) {
      if (state.runId != null) {
        recordFailure(spec, ds, state, e);
      }
      throw e;
    } finally {
      if (state.taskTime != null) {
        state.taskTime.close();
      }
    }
  }

  /**
   * Plans {@code spec}'s input as a run would, without scoring: reads footers and Delta statistics,
   * cuts the input into tasks, and returns the plan with the rate it was sized by.
   */
  public PlanPreview plan(JobSpec spec) {
    InputRead in = readInput(spec);
    List<String> labels = spec.models().stream().map(JobSpec.Model::label).toList();
    Double rate = InputPlanner.lastRate(spark, spec.output().runsTableOrDefault(), labels);
    JobSpec.Partitioning p = spec.partitioningOrDefault();
    InputPlanner planner =
        InputPlanner.of(spark, spec, in.version(), p.rowsPerTask() == null ? rate : null);
    return new PlanPreview(planner.plan(in.rows()), planner, rate);
  }

  /**
   * A plan, as {@code inferlake plan} prints it.
   *
   * @param rowsPerSecond one slot's rate in the latest run of the same versions; null if none
   */
  public record PlanPreview(
      InputPlanner.Planned planned, InputPlanner planner, Double rowsPerSecond) {}

  /** What a run has found out so far, for its runs-table rows if it fails. */
  private static final class RunState {
    final Instant start;
    final ScoringMetrics metrics;
    String runId;
    List<ResolvedModel> models;
    TaskTime taskTime;
    String input;

    RunState(Instant start, ScoringMetrics metrics) {
      this.start = start;
      this.metrics = metrics;
    }
  }

  private RunSummary run(JobSpec spec, LocalDate ds, RunState state) {
    Instant start = state.start;
    ScoringMetrics metrics = state.metrics;

    List<ResolvedModel> models =
        ModelResolver.resolve(spark.sparkContext().hadoopConfiguration(), spec, clock);
    state.models = models;
    state.input = spec.input().path();
    InputRead in = readInput(spec);
    String labelColumn = checkLabel(spec, in.rows().schema());
    List<List<String>> columnsPerInput = new ArrayList<>();
    List<String> columns = project(spec, in.rows(), models, columnsPerInput);
    Dataset<Row> projected = select(in.rows(), columns);
    StructType schema = projected.schema();

    List<KeyColumn> keys = keyColumns(spec, schema);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Broadcast<byte[]>> broadcasts = new ArrayList<>();
    List<ScoredModel> scored = new ArrayList<>();
    KeyRef keyRef = keyRef(spec);
    String table = spec.output().table();
    String owner = owner(spec);
    FaultInjection faults = faults();
    RunWriter.Outcome last;
    ChunkPlan plan;
    try {
      scored.addAll(scoredModels(models, columnsPerInput, schema, keyRef, jsc, broadcasts));
      int chunks = spec.chunksOrDefault();
      String newRunId = UUID.randomUUID().toString();
      plan =
          chunks == 1
              ? new ChunkPlan(newRunId, List.of(List.of()), 0, null)
              : ChunkPlan.plan(spark, table, ds, owner, in.rows().inputFiles(), chunks, newRunId);
      String runId = plan.runId();
      state.runId = runId;
      if (plan.firstChunk() > 0) {
        LOG.info(
            "run {}: resuming at chunk {} of {}; chunks before it are committed",
            runId,
            plan.firstChunk() + 1,
            plan.size());
      }
      int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
      String group = "inferlake-" + runId;
      state.taskTime = new TaskTime(spark.sparkContext(), group);
      RunWriter writer = new RunWriter(spark, spec, ds, group, planner(spec, in.version(), models));
      LOG.info(
          "run {}: scoring {} with {} model version(s), batch size {}{}",
          runId,
          spec.input().path(),
          scored.size(),
          spec.batchSizeOrDefault() == ScoringSpec.AUTO_BATCH_SIZE
              ? "auto (probed on each executor)"
              : spec.batchSizeOrDefault(),
          plan.size() > 1 ? ", in " + plan.size() + " chunks" : "");
      spark.sparkContext().setJobGroup(group, "inferlake run " + runId, false);
      ScoringProgress progress =
          progressOut == null
              ? null
              : new ScoringProgress(spark.sparkContext(), group, progressOut, progressEvery);
      try {
        last = null;
        for (int c = plan.firstChunk(); c < plan.size(); c++) {
          Instant chunkStart = plan.size() == 1 ? start : clock.instant();
          long startMicros = ChronoUnit.MICROS.between(Instant.EPOCH, chunkStart);
          ScoringSpec scoring =
              new ScoringSpec(
                  scored,
                  keys,
                  spec.batchSizeOrDefault(),
                  new RunnerOptions(taskCpus, spec.deviceOrDefault()),
                  runId,
                  (int) ds.toEpochDay(),
                  startMicros,
                  spec.modelCacheBytesOrDefault(),
                  spec.onInvalidOrDefault(),
                  faults);
          String owned = RunWriter.ownedRows(ds, spec.models());
          String quarantineOwned = owned;
          Dataset<Row> part = projected;
          ObjectNode info = commitInfo(spec, ds, runId, owner, models, in.version());
          if (plan.size() > 1) {
            part = select(in.rows().where(inFiles(plan.chunks().get(c))), columns);
            info.putObject("resume")
                .put("plan", plan.digest())
                .put("chunk", c)
                .put("chunks", plan.size());
            if (c > 0) {
              owned +=
                  " AND " + RunWriter.chunkRows(runId, PredictionSchema.SCORED_AT, startMicros);
              quarantineOwned +=
                  " AND "
                      + RunWriter.chunkRows(runId, QuarantineSchema.QUARANTINED_AT, startMicros);
            }
          }
          last = writer.write(part, scoring, metrics, owned, quarantineOwned, info);
          if (plan.size() > 1) {
            LOG.info("run {}: chunk {} of {} committed", runId, c + 1, plan.size());
            if (faults.stopAfterChunk() == c && c + 1 < plan.size()) {
              throw new InferlakeException(
                  dev.inferlake.model.ErrorKind.RUN,
                  "stopped after chunk "
                      + (c + 1)
                      + " of "
                      + plan.size()
                      + " as "
                      + FaultInjection.CONF
                      + " asks; a rerun resumes at chunk "
                      + (c + 2));
            }
          }
        }
      } finally {
        spark.sparkContext().clearJobGroup();
        if (progress != null) {
          progress.close();
        }
      }
    } finally {
      broadcasts.forEach(b -> b.destroy());
    }
    Instant end = clock.instant();
    Duration wall = Duration.between(start, end);
    RunSummary summary = summarize(spec, ds, plan.runId(), wall, models, metrics, last);
    LOG.info(summary.logLine());
    afterCommit(spec, ds, state, summary, end, in, labelColumn);
    return summary;
  }

  /** The input's key columns, by position in the projected rows. */
  private static List<KeyColumn> keyColumns(JobSpec spec, StructType schema) {
    List<KeyColumn> keys = new ArrayList<>();
    for (String k : spec.input().key()) {
      int ord = schema.fieldIndex(k);
      keys.add(new KeyColumn(k, ord, schema.fields()[ord].dataType()));
    }
    return keys;
  }

  /** Where executors find the key that opens encrypted packages; null when the job gives none. */
  private static KeyRef keyRef(JobSpec spec) {
    JobSpec.Security sec = spec.securityOrDefault();
    return sec.decryptionKeyEnv() == null && sec.decryptionKeyFile() == null
        ? null
        : new KeyRef(sec.decryptionKeyEnv(), sec.decryptionKeyFile());
  }

  /** Every model version as the executors get it: input bindings, output, and how it ships. */
  private static List<ScoredModel> scoredModels(
      List<ResolvedModel> models,
      List<List<String>> columnsPerInput,
      StructType schema,
      KeyRef keyRef,
      JavaSparkContext jsc,
      List<Broadcast<byte[]>> broadcasts) {
    List<ScoredModel> scored = new ArrayList<>();
    int next = 0;
    for (ResolvedModel m : models) {
      List<InputBinding> bindings = new ArrayList<>();
      for (TensorSpec inSpec : m.manifest().modelSignature().inputs()) {
        bindings.add(
            InputBinding.bind(inSpec, columnsPerInput.get(next++), schema, m.spec().label()));
      }
      TensorSpec out = chooseOutput(m);
      ModelSource source;
      if (m.payload() == null) {
        source = new StorageModelSource(m.location());
      } else {
        Broadcast<byte[]> b = jsc.broadcast(m.payload());
        broadcasts.add(b);
        source = new BroadcastModelSource(b);
      }
      scored.add(
          new ScoredModel(
              m.manifest(),
              bindings,
              out.name(),
              (int) out.elementsPerRow(),
              source,
              m.manifest().packedSha256(),
              keyRef));
    }
    return scored;
  }

  /**
   * The predictions {@code spec} would write for {@code ds}, as a lazy DataFrame in the prediction
   * table's schema, without writing anything: the same planning, shipping and scoring as {@link
   * #run}, for notebooks and for timing scoring alone. Rows a model cannot take fail the scan.
   * Broadcast model packages live as long as the session.
   */
  public Dataset<Row> predictions(JobSpec spec, LocalDate ds) {
    List<ResolvedModel> models =
        ModelResolver.resolve(spark.sparkContext().hadoopConfiguration(), spec, clock);
    InputRead in = readInput(spec);
    List<List<String>> columnsPerInput = new ArrayList<>();
    List<String> columns = project(spec, in.rows(), models, columnsPerInput);
    Dataset<Row> projected = select(in.rows(), columns);
    StructType schema = projected.schema();
    List<KeyColumn> keys = keyColumns(spec, schema);
    KeyRef keyRef = keyRef(spec);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<ScoredModel> scored =
        scoredModels(models, columnsPerInput, schema, keyRef, jsc, new ArrayList<>());
    int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
    ScoringSpec scoring =
        new ScoringSpec(
            scored,
            keys,
            spec.batchSizeOrDefault(),
            new RunnerOptions(taskCpus, spec.deviceOrDefault()),
            "preview-" + UUID.randomUUID(),
            (int) ds.toEpochDay(),
            ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant()),
            spec.modelCacheBytesOrDefault(),
            dev.inferlake.executors.OnInvalid.FAIL,
            FaultInjection.NONE);
    dev.inferlake.executors.PartitionScorer scorer =
        new dev.inferlake.executors.PartitionScorer(scoring, null);
    org.apache.spark.api.java.JavaRDD<org.apache.spark.sql.catalyst.InternalRow> rows =
        planner(spec, in.version(), models).plan(projected).rows().mapPartitions(scorer::score);
    return spark.internalCreateDataFrame(rows.rdd(), PredictionSchema.of(keys), false);
  }

  /**
   * The planner for this job's input: rows per task from {@code partitioning}, or from the rate of
   * the latest run of the same model versions in the runs table.
   */
  private InputPlanner planner(JobSpec spec, Long deltaVersion, List<ResolvedModel> models) {
    JobSpec.Partitioning p = spec.partitioningOrDefault();
    Double rate = null;
    if (p.byMetadata() && p.rowsPerTask() == null) {
      rate =
          InputPlanner.lastRate(
              spark,
              spec.output().runsTableOrDefault(),
              models.stream().map(m -> m.spec().label()).toList());
    }
    return InputPlanner.of(spark, spec, deltaVersion, rate);
  }

  /**
   * The label column of {@code evaluate.label}, checked against the input schema before anything
   * runs; null when the job evaluates nothing.
   */
  private static String checkLabel(JobSpec spec, StructType schema) {
    if (spec.evaluate() == null) {
      return null;
    }
    String label = spec.evaluate().label();
    if (!Arrays.asList(schema.fieldNames()).contains(label)) {
      throw JobErrors.labelColumn(
          label, "is not in the input (columns: " + Arrays.asList(schema.fieldNames()) + ")");
    }
    org.apache.spark.sql.types.DataType t = schema.apply(label).dataType();
    if (!(t instanceof org.apache.spark.sql.types.NumericType)) {
      throw JobErrors.labelColumn(label, "is " + t.simpleString() + ", not a number");
    }
    return label;
  }

  /**
   * What follows a commit: accuracy against labels, the runs-table rows, the report. The
   * predictions are committed by now, so a failure here is logged as an error, not thrown: the run
   * did what it was for.
   */
  private void afterCommit(
      JobSpec spec,
      LocalDate ds,
      RunState state,
      RunSummary summary,
      Instant end,
      InputRead in,
      String labelColumn) {
    Map<String, Evaluation> evaluations = Map.of();
    long t0 = System.nanoTime();
    if (labelColumn != null) {
      try {
        Dataset<Row> predictions =
            spark
                .read()
                .format("delta")
                .option("versionAsOf", summary.tableVersion())
                .load(summary.table())
                .where(functions.col(PredictionSchema.RUN_ID).equalTo(summary.runId()));
        List<String> cols = new ArrayList<>(spec.input().key());
        cols.add(labelColumn);
        evaluations =
            Evaluator.evaluate(
                predictions, select(in.rows(), cols), spec.input().key(), labelColumn);
        LOG.info(
            "run {}: accuracy against '{}' computed in {} ms",
            summary.runId(),
            labelColumn,
            (System.nanoTime() - t0) / 1_000_000);
      } catch (RuntimeException e) {
        LOG.error(
            "run {}: committed, but its accuracy against '{}' could not be computed",
            summary.runId(),
            labelColumn,
            e);
      }
    }
    String runsTable = spec.output().runsTableOrDefault();
    try {
      List<RunRecord> records = new ArrayList<>();
      for (ResolvedModel m : state.models) {
        String label = m.spec().label();
        RunSummary.VersionRows rows =
            summary.versions().stream()
                .filter(v -> (v.name() + ":" + v.version()).equals(label))
                .findFirst()
                .orElseThrow();
        records.add(
            record(
                spec,
                ds,
                state,
                m,
                end,
                RunRecord.SUCCEEDED,
                null,
                summary.tableVersion(),
                summary.inputRows(),
                rows,
                evaluations.get(label)));
      }
      t0 = System.nanoTime();
      RunsTable.append(spark, runsTable, records);
      LOG.info(
          "run {}: {} row(s) added to the runs table {} in {} ms",
          summary.runId(),
          records.size(),
          runsTable,
          (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException e) {
      LOG.error(
          "run {}: committed, but its rows could not be added to the runs table {}",
          summary.runId(),
          runsTable,
          e);
    }
    if (spec.report() != null) {
      java.nio.file.Path dir = java.nio.file.Path.of(spec.report().out());
      t0 = System.nanoTime();
      try {
        Report report =
            new ReportBuilder(spark)
                .build(
                    ReportRequest.of(summary.table())
                        .withRunsTable(runsTable)
                        .withDs(ds)
                        .withBaseline(
                            spec.report().baseline() != null
                                ? spec.report().baseline()
                                : spec.models().get(0).label())
                        .withReference(spec.report().reference())
                        .withRules(spec.thresholdRules()));
        ReportWriter.Written w = ReportWriter.write(report, dir);
        LOG.info(
            "run {}: report {} in {} ms ({})",
            summary.runId(),
            w.html(),
            (System.nanoTime() - t0) / 1_000_000,
            report.passed() ? "every version passed its thresholds" : "some version FAILED");
      } catch (RuntimeException e) {
        LOG.error("run {}: committed, but the report to {} failed", summary.runId(), dir, e);
      }
    }
  }

  private RunRecord record(
      JobSpec spec,
      LocalDate ds,
      RunState state,
      ResolvedModel m,
      Instant end,
      String status,
      String error,
      Long tableVersion,
      Long rowsIn,
      RunSummary.VersionRows rows,
      Evaluation evaluation) {
    String label = m.spec().label();
    VersionBatches b = state.metrics.batches().get(label);
    RunRecord.Batches batches =
        b == null
            ? null
            : new RunRecord.Batches(
                b.batches(),
                b.rows(),
                b.latency().sumNanos() / 1e6,
                b.latency().quantileNanos(0.50) / 1e6,
                b.latency().quantileNanos(0.95) / 1e6,
                b.latency().quantileNanos(0.99) / 1e6,
                b.latency().maxNanos() / 1e6);
    return new RunRecord(
        state.runId,
        ds,
        spec.output().table(),
        tableVersion,
        status,
        error,
        state.start,
        end,
        m.spec().name(),
        m.spec().version(),
        m.manifest().sha256(),
        rowsIn,
        rows == null ? null : rows.rows(),
        rows == null ? null : rows.quarantined(),
        rows == null ? null : rows.skipped(),
        Duration.between(state.start, end).toMillis(),
        state.taskTime == null ? null : state.taskTime.millis(),
        batches,
        new RunRecord.ModelCost(
            m.manifest().rawBytes(),
            m.manifest().packedBytes(),
            state.metrics.loadsPerVersion().getOrDefault(label, 0L),
            b == null ? "none" : String.join(",", b.devices())),
        spark.sparkContext().applicationId(),
        System.getProperty("user.name"),
        state.input,
        Versions.inferlake(),
        evaluation);
  }

  /** Best effort: a failed run's rows in the runs table, without hiding the failure. */
  private void recordFailure(JobSpec spec, LocalDate ds, RunState state, RuntimeException e) {
    InferlakeException ie = InferlakeException.findIn(e);
    String error =
        ie == null
            ? "RUN: " + e
            : ie.kind() + " (exit " + ie.kind().exitCode() + "): " + ie.getMessage();
    try {
      Instant end = clock.instant();
      List<RunRecord> records = new ArrayList<>();
      for (ResolvedModel m : state.models) {
        records.add(
            record(spec, ds, state, m, end, RunRecord.FAILED, error, null, null, null, null));
      }
      RunsTable.append(spark, spec.output().runsTableOrDefault(), records);
    } catch (RuntimeException suppressed) {
      e.addSuppressed(suppressed);
      LOG.warn(
          "run {}: could not record the failure in the runs table: {}",
          state.runId,
          suppressed.toString());
    }
  }

  /** Names the rows a run owns (its date and model versions), to recognize earlier runs of it. */
  private static String owner(JobSpec spec) {
    return spec.models().stream()
        .map(JobSpec.Model::label)
        .sorted()
        .collect(java.util.stream.Collectors.joining(","));
  }

  private FaultInjection faults() {
    try {
      return FaultInjection.parse(spark.conf().get(FaultInjection.CONF, ""));
    } catch (IllegalArgumentException e) {
      throw JobErrors.badValue(
          FaultInjection.CONF, spark.conf().get(FaultInjection.CONF), e.getMessage());
    }
  }

  /** Rows read from the files of one chunk. */
  private static org.apache.spark.sql.Column inFiles(List<String> files) {
    return functions.col("_metadata.file_path").isin(files.toArray());
  }

  /** The input rows, and for Delta input the table version they were read at. */
  private record InputRead(Dataset<Row> rows, Long version) {}

  private InputRead readInput(JobSpec spec) {
    String path = spec.input().path();
    try {
      if (spec.format().equals("delta")) {
        // Pin the version: every pass of the run (and its audit record) sees the same snapshot.
        long version = CommitLog.latestVersion(spark, path);
        return new InputRead(
            spark.read().format("delta").option("versionAsOf", version).load(path), version);
      }
      return new InputRead(spark.read().format(spec.format()).load(path), null);
    } catch (InferlakeException e) {
      throw e;
    } catch (Exception e) {
      throw JobErrors.inputUnreadable(path, spec.format(), JobErrors.rootMessage(e), e);
    }
  }

  /**
   * Checks keys and every model input against the input schema, and selects only the key and
   * feature columns (so the scan reads nothing else).
   */
  private static List<String> project(
      JobSpec spec, Dataset<Row> input, List<ResolvedModel> models, List<List<String>> perInput) {
    StructType full = input.schema();
    List<String> available = Arrays.asList(full.fieldNames());
    LinkedHashSet<String> columns = new LinkedHashSet<>();
    for (String k : spec.input().key()) {
      if (!available.contains(k)) {
        throw JobErrors.missingKeyColumn(k, available);
      }
      columns.add(k);
    }
    for (ResolvedModel m : models) {
      for (TensorSpec in : m.manifest().modelSignature().inputs()) {
        List<String> cols = spec.featuresFor(m.spec(), in.name());
        if (cols == null) {
          throw JobErrors.unmappedInput(m.spec().label(), in.name());
        }
        InputBinding.bind(in, cols, full, m.spec().label()); // fails with the column named
        perInput.add(cols);
        columns.addAll(cols);
      }
    }
    return new ArrayList<>(columns);
  }

  private static Dataset<Row> select(Dataset<Row> input, List<String> columns) {
    return input.select(
        columns.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
  }

  private static TensorSpec chooseOutput(ResolvedModel m) {
    ModelSignature sig = m.manifest().modelSignature();
    String wanted = m.spec().output();
    TensorSpec out;
    if (wanted == null) {
      out = sig.outputs().get(0);
    } else {
      out =
          sig.output(wanted)
              .orElseThrow(
                  () ->
                      JobErrors.unknownOutput(
                          m.spec().label(),
                          wanted,
                          sig.outputs().stream().map(TensorSpec::name).toList()));
    }
    if (out.type() != ElementType.FLOAT || out.shape().length == 0 || out.elementsPerRow() < 1) {
      throw JobErrors.unsupportedOutput(m.spec().label(), out.name(), out.toString());
    }
    return out;
  }

  private ObjectNode commitInfo(
      JobSpec spec,
      LocalDate ds,
      String runId,
      String owner,
      List<ResolvedModel> models,
      Long inputVersion) {
    ObjectNode o = JSON.createObjectNode();
    o.put("run_id", runId);
    o.put("ds", ds.toString());
    o.put("owner", owner);
    o.put("input", spec.input().path());
    o.put("input_format", spec.format());
    if (inputVersion != null) {
      o.put("input_version", inputVersion);
    }
    o.put("user", System.getProperty("user.name"));
    o.put("spark_app_id", spark.sparkContext().applicationId());
    o.put("spark_version", spark.version());
    o.put("inferlake_version", Versions.inferlake());
    ArrayNode ms = o.putArray("models");
    for (ResolvedModel m : models) {
      ObjectNode mo =
          ms.addObject()
              .put("name", m.spec().name())
              .put("version", m.spec().version())
              .put("digest", m.manifest().sha256())
              .put("path", m.location())
              .put("encryption", m.manifest().encryption())
              .put("packed_bytes", m.manifest().packedBytes());
      if (m.signer() != null) {
        mo.put("signer", m.signer());
      }
    }
    return o;
  }

  private RunSummary summarize(
      JobSpec spec,
      LocalDate ds,
      String runId,
      Duration wall,
      List<ResolvedModel> models,
      ScoringMetrics metrics,
      RunWriter.Outcome last) {
    String table = spec.output().table();
    Map<String, Long> predicted = countByVersion(table, last.predictionVersion(), runId);
    Map<String, Long> quarantined =
        last.quarantineVersion() == null
            ? Map.of()
            : countByVersion(
                spec.output().quarantineTableOrDefault(), last.quarantineVersion(), runId);
    // Rows in and rows rejected, as counted by each commit's validation pass and stored in its
    // metadata (a resumed run's earlier chunks included).
    long rowsIn = 0;
    Map<String, Long> invalid = new TreeMap<>();
    boolean counted = false;
    for (CommitLog.Commit c :
        CommitLog.commits(spark, table, 1000, "\"run_id\":\"" + runId + "\"")) {
      try {
        com.fasterxml.jackson.databind.JsonNode meta = JSON.readTree(c.metadata());
        if (meta.has("rows_in")) {
          counted = true;
          rowsIn += meta.get("rows_in").asLong();
          meta.path("invalid")
              .fields()
              .forEachRemaining(e -> invalid.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }
      } catch (java.io.IOException e) {
        throw new IllegalStateException("unreadable commit metadata in " + table, e);
      }
    }
    if (!counted) {
      rowsIn = predicted.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }
    boolean skipping = spec.onInvalidOrDefault() == dev.inferlake.executors.OnInvalid.SKIP;
    List<RunSummary.VersionRows> versions = new ArrayList<>();
    for (ResolvedModel m : models) {
      String label = m.spec().label();
      versions.add(
          new RunSummary.VersionRows(
              m.spec().name(),
              m.spec().version(),
              m.manifest().sha256(),
              predicted.getOrDefault(label, 0L),
              quarantined.getOrDefault(label, 0L),
              skipping ? invalid.getOrDefault(label, 0L) : 0L));
    }
    RunSummary.ModelLoads loads =
        new RunSummary.ModelLoads(
            metrics.loads(),
            metrics.hits(),
            metrics.loadMillis(),
            metrics.loadedBytes(),
            metrics.loadsPerExecutor(),
            models.stream().mapToLong(m -> m.manifest().packedBytes()).sum());
    return new RunSummary(
        runId, ds, table, last.predictionVersion(), wall, rowsIn, versions, loads);
  }

  /** Rows of run {@code runId} per {@code name:version} in {@code table} at {@code version}. */
  private Map<String, Long> countByVersion(String table, long version, String runId) {
    Map<String, Long> counts = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .option("versionAsOf", version)
            .load(table)
            .where(functions.col(PredictionSchema.RUN_ID).equalTo(runId))
            .groupBy(PredictionSchema.MODEL_NAME, PredictionSchema.MODEL_VERSION)
            .count()
            .collectAsList()) {
      counts.put(r.getString(0) + ":" + r.getString(1), r.getLong(2));
    }
    return counts;
  }
}
