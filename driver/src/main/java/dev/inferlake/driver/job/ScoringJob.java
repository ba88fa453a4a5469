package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.compat.SparkCompat;
import dev.inferlake.driver.job.RunRecords.RunState;
import dev.inferlake.driver.sink.ChunkPlan;
import dev.inferlake.driver.sink.DeltaSink;
import dev.inferlake.driver.sink.ModelVersion;
import dev.inferlake.driver.sink.PredictionSink;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.PartitionScorer;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.RunSummary;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scoring run, top to bottom: resolve and verify the model versions, read and check the input
 * against them, ship the models, cut the run into commits, score every version in one pass over
 * each chunk and hand the rows to the {@link PredictionSink}, then summarize what was committed and
 * follow up (accuracy, runs table, report).
 *
 * <p>Failures surface as {@link InferlakeException}s whose kind gives the exit code; nothing is
 * written unless every row was scored.
 */
public final class ScoringJob {
  /**
   * The logger of a run's lines, the summary line among them. Its name is the one README documents
   * and log filters select on, kept from before this class moved into the {@code job} package.
   */
  static final String RUN_LOGGER = "dev.inferlake.driver.ScoringJob";

  private static final Logger LOG = LoggerFactory.getLogger(RUN_LOGGER);

  private final SparkSession spark;
  private final Clock clock;
  private final PrintWriter progressOut;
  private final Duration progressEvery;

  public ScoringJob(SparkSession spark, Clock clock) {
    this(spark, clock, null, Duration.ZERO);
  }

  private ScoringJob(
      SparkSession spark, Clock clock, PrintWriter progressOut, Duration progressEvery) {
    this.spark = spark;
    this.clock = clock;
    this.progressOut = progressOut;
    this.progressEvery = progressEvery;
  }

  /**
   * This job, printing a progress line to {@code out} every {@code every} while scoring (zero: only
   * a last line).
   */
  public ScoringJob withProgress(PrintWriter out, Duration every) {
    return new ScoringJob(spark, clock, out, every);
  }

  /**
   * Runs {@code spec} for run date {@code ds} and returns what was written. When it ends, the run
   * appends its rows to the runs table (failed runs too, once they have a run id), and writes the
   * report if the job asks for one.
   */
  public RunSummary run(JobSpec given, LocalDate ds) {
    CatalogTables tables = CatalogTables.resolve(spark, InputSource.forDate(given, ds));
    JobSpec spec = tables.spec();
    RunState state = new RunState(clock.instant(), ScoringMetrics.register(spark.sparkContext()));
    RunRecords records = new RunRecords(spark, spec, ds, state);
    try {
      RunSummary summary = run(spec, ds, state, records);
      tables.registerCreated();
      return summary;
    } catch (RuntimeException e) {
      if (state.runId != null) {
        records.appendFailure(clock.instant(), e);
      }
      throw e;
    } finally {
      if (state.taskTime != null) {
        state.taskTime.close();
      }
    }
  }

  private RunSummary run(JobSpec spec, LocalDate ds, RunState state, RunRecords records) {
    if (spec.input().incremental()) {
      return new IncrementalRun(spark, clock, this).run(spec, ds, state, records, resolve(spec));
    }
    List<ResolvedModel> models = resolve(spec);
    state.models = models;
    state.input = spec.input().path() != null ? spec.input().path() : spec.input().table();
    JobInput read = JobInput.read(spark, spec, models, true);
    PredictionSink sink = sink(spec, ds, read);
    checkNotEmpty(spec, ds, read, sink);
    JobInput input =
        !spec.skipScoredOrDefault()
            ? read
            : read.withProjected(
                SkipScored.unscored(
                    spark,
                    spec.output().table(),
                    ds,
                    models.get(0).manifest().sha256(),
                    spec.input().key(),
                    read.projected()));
    PredictionSink.Commit last;
    String runId;
    InlineEvaluation inline;
    try (ModelShipping shipping = ModelShipping.ship(jsc(), spec, models, input)) {
      sink.prepare(shipping.schema(input.keys()));
      ChunkPlan plan =
          sink.planChunks(
              () -> input.rows().inputFiles(),
              spec.chunksOrDefault(),
              UUID.randomUUID().toString());
      runId = plan.runId();
      state.runId = runId;
      String group = "inferlake-" + runId;
      state.taskTime = new TaskTime(spark.sparkContext(), group);
      logStart(spec, plan, shipping.models().size());
      spark.sparkContext().setJobGroup(group, "inferlake run " + runId, false);
      inline = InlineEvaluation.of(spark, input, shipping.models(), plan);
      try (ScoringProgress progress = progress(group)) {
        last = scoreChunks(spec, ds, state, input, sink, plan, shipping.models(), group, inline);
      } finally {
        spark.sparkContext().clearJobGroup();
      }
    }
    Instant end = clock.instant();
    RunSummary summary = records.summary(runId, Duration.between(state.start, end), sink, last);
    LOG.info(summary.logLine());
    new AfterCommit(spark, spec, ds).run(sink, last, summary, records, end, input, inline);
    return summary;
  }

  /** Scores and commits every chunk of the plan still to do; returns the last commit. */
  private PredictionSink.Commit scoreChunks(
      JobSpec spec,
      LocalDate ds,
      RunState state,
      JobInput input,
      PredictionSink sink,
      ChunkPlan plan,
      List<ScoredModel> scored,
      String group,
      InlineEvaluation inline) {
    ChunkScorer scorer =
        new ChunkScorer(spark, spec, group, planner(spec, input.version(), state.models));
    OnInvalid onInvalid = spec.onInvalidOrDefault();
    FaultInjection faults = faults();
    PredictionSink.Commit last = null;
    for (int c = plan.firstChunk(); c < plan.size(); c++) {
      Instant chunkStart = plan.size() == 1 ? state.start : clock.instant();
      long startMicros = ChronoUnit.MICROS.between(Instant.EPOCH, chunkStart);
      ScoringSpec scoring =
          scoringSpec(spec, ds, scored, input.keys(), plan.runId(), startMicros, onInvalid, faults);
      ObjectNode info = Provenance.of(spark, spec, ds, plan.runId(), state.models, input.version());
      Dataset<Row> rows = plan.size() > 1 ? input.chunk(plan.chunks().get(c)) : input.projected();
      try (ChunkScorer.Scored chunk = scorer.score(rows, scoring, state.metrics, info, inline, c)) {
        Dataset<Row> quarantine = onInvalid == OnInvalid.QUARANTINE ? chunk.rejects() : null;
        quarantine =
            UnparsableRows.addTo(
                spark,
                spec,
                input.unparsable(),
                input.keys(),
                plan.runId(),
                ds,
                startMicros,
                quarantine,
                info);
        last =
            sink.commit(
                new PredictionSink.ChunkWrite(
                    plan, c, startMicros, chunk.predictions(), quarantine, info));
      }
      if (plan.size() > 1) {
        LOG.info("run {}: chunk {} of {} committed", plan.runId(), c + 1, plan.size());
        if (faults.stopAfterChunk() == c && c + 1 < plan.size()) {
          throw new InferlakeException(
              ErrorKind.RUN,
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
    return last;
  }

  /**
   * The predictions {@code spec} would write for {@code ds}, as a lazy DataFrame in the prediction
   * table's schema, without writing anything: the same planning, shipping and scoring as {@link
   * #run}, for notebooks and for timing scoring alone. Rows a model cannot take fail the scan.
   * Broadcast model packages live as long as the session.
   */
  public Dataset<Row> predictions(JobSpec given, LocalDate ds) {
    JobSpec spec = CatalogTables.resolve(spark, InputSource.forDate(given, ds)).spec();
    List<ResolvedModel> models = resolve(spec);
    JobInput input = JobInput.read(spark, spec, models, false);
    return predictions(spec, ds, models, input, null, "preview-" + UUID.randomUUID());
  }

  /**
   * The predictions {@code spec}'s models make for the rows of {@code source} (in place of the
   * job's input path), as {@link #predictions(JobSpec, LocalDate)} makes them: the same resolution
   * and checks, shipping, planning and batched scoring. The SQL function {@code inferlake_predict}
   * is this.
   *
   * @param metrics where tasks count their engine calls and model loads; null for nowhere
   * @param runId the {@code run_id} of every row
   */
  public Dataset<Row> predictions(
      JobSpec spec, LocalDate ds, Dataset<Row> source, ScoringMetrics metrics, String runId) {
    List<ResolvedModel> models = resolve(spec);
    JobInput input = JobInput.of(source, spec, models);
    return predictions(spec, ds, models, input, metrics, runId);
  }

  private Dataset<Row> predictions(
      JobSpec spec,
      LocalDate ds,
      List<ResolvedModel> models,
      JobInput input,
      ScoringMetrics metrics,
      String runId) {
    ModelShipping shipping = ModelShipping.ship(jsc(), spec, models, input);
    List<ScoredModel> scored = shipping.models();
    StructType schema = shipping.schema(input.keys());
    long now = ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant());
    ScoringSpec scoring =
        scoringSpec(
            spec, ds, scored, input.keys(), runId, now, OnInvalid.FAIL, FaultInjection.NONE);
    PartitionScorer scorer = new PartitionScorer(scoring, metrics);
    JavaRDD<InternalRow> rows =
        planner(spec, input.version(), models)
            .plan(input.projected())
            .rows()
            .mapPartitions(scorer::score);
    return SparkCompat.internalCreateDataFrame(spark, rows.rdd(), schema);
  }

  /**
   * Checks {@code spec} for run date {@code ds} as {@link #run} does before it scores, and plans
   * its input as a run would, without shipping models, starting engine sessions or scoring:
   * resolves and verifies every model version, checks the input against them (keys, feature
   * mapping, column types, label), refuses an empty input that would empty the date, binds every
   * model's inputs and tasks and checks the columns they write against the table, then cuts the
   * input into tasks from footers and Delta statistics.
   *
   * @return the plan, with the latest run of the same versions whose task cost sizes and times it
   * @throws InferlakeException what {@link #run} would throw for the same job before scoring, with
   *     the same kind and message
   */
  public PlanPreview plan(JobSpec given, LocalDate ds) {
    JobSpec spec = CatalogTables.resolve(spark, InputSource.forDate(given, ds)).spec();
    List<ResolvedModel> models = resolve(spec);
    JobInput input = JobInput.read(spark, spec, models, true);
    PredictionSink sink = sink(spec, ds, input);
    checkNotEmpty(spec, ds, input, sink);
    sink.prepare(ModelShipping.schema(models, ModelShipping.bind(models, input), input.keys()));
    faults();
    List<String> labels = models.stream().map(m -> m.spec().label()).toList();
    PilotRun pilot = PilotRun.latest(spark, spec.output().runsTableOrDefault(), labels);
    InputPlanner planner = InputPlanner.of(spark, spec, input.version(), pilot);
    return new PlanPreview(models, planner.plan(input.projected()), planner, pilot, spec);
  }

  /**
   * A plan, as {@code inferlake plan} prints it.
   *
   * @param models every model version of the job, resolved and verified
   * @param pilot the latest run of the same versions and what its tasks cost
   * @param spec the job as planned: run date filled in, catalog names resolved
   */
  public record PlanPreview(
      List<ResolvedModel> models,
      InputPlanner.Planned planned,
      InputPlanner planner,
      PilotRun pilot,
      JobSpec spec) {}

  /**
   * An empty input would replace the date's rows of the job's versions with nothing: refused unless
   * the job allows it or there are none.
   */
  private static void checkNotEmpty(
      JobSpec spec, LocalDate ds, JobInput input, PredictionSink sink) {
    if (!spec.allowEmptyInputOrDefault()
        && !spec.skipScoredOrDefault() // its commit removes no earlier rows
        && input.projected().isEmpty()) {
      long owned = sink.ownedRows();
      if (owned > 0) {
        throw JobErrors.emptyInput(spec.input().path(), ds, owned, sink.table());
      }
    }
  }

  /** Where the run's rows land: the job's Delta tables. */
  private PredictionSink sink(JobSpec spec, LocalDate ds, JobInput input) {
    JobSpec.Output out = spec.output();
    List<ModelVersion> versions =
        spec.models().stream().map(m -> new ModelVersion(m.name(), m.version())).toList();
    DeltaSink sink =
        new DeltaSink(
            spark,
            out.table(),
            out.quarantineTableOrDefault(),
            out.conflictRetriesOrDefault(),
            ds,
            versions,
            input.keys());
    return spec.skipScoredOrDefault() ? sink.keepingEarlierRuns() : sink;
  }

  private List<ResolvedModel> resolve(JobSpec spec) {
    return ModelResolver.resolve(spark.sparkContext().hadoopConfiguration(), spec, clock);
  }

  JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  ScoringSpec scoringSpec(
      JobSpec spec,
      LocalDate ds,
      List<ScoredModel> scored,
      List<KeyColumn> keys,
      String runId,
      long startMicros,
      OnInvalid onInvalid,
      FaultInjection faults) {
    int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
    return new ScoringSpec(
        scored,
        keys,
        spec.batchSizeOrDefault(),
        new RunnerOptions(taskCpus, spec.deviceOrDefault()),
        runId,
        (int) ds.toEpochDay(),
        startMicros,
        spec.modelCacheBytesOrDefault(),
        onInvalid,
        faults,
        spec.textBucketingOrDefault());
  }

  /**
   * The planner for this job's input: rows per task from {@code partitioning}, or from the task
   * cost of the latest run of the same model versions in the runs table.
   */
  InputPlanner planner(JobSpec spec, Long deltaVersion, List<ResolvedModel> models) {
    JobSpec.Partitioning p = spec.partitioningOrDefault();
    PilotRun pilot = null;
    if (p.byMetadata() && p.rowsPerTask() == null) {
      List<String> labels = models.stream().map(m -> m.spec().label()).toList();
      pilot = PilotRun.latest(spark, spec.output().runsTableOrDefault(), labels);
    }
    return InputPlanner.of(spark, spec, deltaVersion, pilot);
  }

  private void logStart(JobSpec spec, ChunkPlan plan, int versions) {
    LOG.info(
        "run {}: scoring {} with {} model version(s), batch size {}{}",
        plan.runId(),
        spec.input().path(),
        versions,
        spec.batchSizeOrDefault() == ScoringSpec.AUTO_BATCH_SIZE
            ? "auto (probed on each executor)"
            : spec.batchSizeOrDefault(),
        plan.size() > 1 ? ", in " + plan.size() + " chunks" : "");
    if (plan.firstChunk() > 0) {
      LOG.info(
          "run {}: resuming at chunk {} of {}; chunks before it are committed",
          plan.runId(),
          plan.firstChunk() + 1,
          plan.size());
    }
  }

  /** The progress line's printer, or null when the job prints none. */
  private ScoringProgress progress(String group) {
    return progressOut == null
        ? null
        : new ScoringProgress(spark.sparkContext(), group, progressOut, progressEvery);
  }

  FaultInjection faults() {
    try {
      return FaultInjection.parse(spark.conf().get(FaultInjection.CONF, ""));
    } catch (IllegalArgumentException e) {
      throw JobErrors.badValue(
          FaultInjection.CONF, spark.conf().get(FaultInjection.CONF), e.getMessage());
    }
  }
}
