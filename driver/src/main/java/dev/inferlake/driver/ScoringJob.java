package dev.inferlake.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.internal.BroadcastModelSource;
import dev.inferlake.driver.internal.JobErrors;
import dev.inferlake.driver.internal.ModelResolver;
import dev.inferlake.driver.internal.ResolvedModel;
import dev.inferlake.driver.internal.ScoringProgress;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.KeyRef;
import dev.inferlake.executors.ModelSource;
import dev.inferlake.executors.PartitionScorer;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.executors.StorageModelSource;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.reports.RunSummary;
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
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
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

  /** Runs {@code spec} for run date {@code ds} and returns what was written. */
  public RunSummary run(JobSpec spec, LocalDate ds) {
    Instant start = clock.instant();
    String runId = UUID.randomUUID().toString();
    ScoringMetrics metrics = ScoringMetrics.register(spark.sparkContext());

    List<ResolvedModel> models =
        ModelResolver.resolve(spark.sparkContext().hadoopConfiguration(), spec, clock);
    Dataset<Row> input = readInput(spec);
    List<List<String>> columnsPerInput = new ArrayList<>();
    Dataset<Row> projected = project(spec, input, models, columnsPerInput);
    StructType schema = projected.schema();

    List<KeyColumn> keys = new ArrayList<>();
    for (String k : spec.input().key()) {
      int ord = schema.fieldIndex(k);
      keys.add(new KeyColumn(k, ord, schema.fields()[ord].dataType()));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Broadcast<byte[]>> broadcasts = new ArrayList<>();
    List<ScoredModel> scored = new ArrayList<>();
    JobSpec.Security sec = spec.securityOrDefault();
    KeyRef keyRef =
        sec.decryptionKeyEnv() == null && sec.decryptionKeyFile() == null
            ? null
            : new KeyRef(sec.decryptionKeyEnv(), sec.decryptionKeyFile());
    try {
      int next = 0;
      for (ResolvedModel m : models) {
        List<InputBinding> bindings = new ArrayList<>();
        for (TensorSpec in : m.manifest().modelSignature().inputs()) {
          bindings.add(
              InputBinding.bind(in, columnsPerInput.get(next++), schema, m.spec().label()));
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
      int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
      ScoringSpec scoring =
          new ScoringSpec(
              scored,
              keys,
              spec.batchSizeOrDefault(),
              new RunnerOptions(taskCpus, spec.deviceOrDefault()),
              runId,
              (int) ds.toEpochDay(),
              ChronoUnit.MICROS.between(Instant.EPOCH, start),
              spec.modelCacheBytesOrDefault());
      LOG.info(
          "run {}: scoring {} with {} model version(s), batch size {}, {} input partition(s)",
          runId,
          spec.input().path(),
          scored.size(),
          scoring.batchSize(),
          projected.rdd().getNumPartitions());
      write(spec, ds, projected, scoring, metrics, commitInfo(spec, ds, runId, models));
    } finally {
      broadcasts.forEach(b -> b.destroy());
    }
    Duration wall = Duration.between(start, clock.instant());
    RunSummary summary = summarize(spec, ds, runId, wall, models, metrics);
    LOG.info(summary.logLine());
    return summary;
  }

  private Dataset<Row> readInput(JobSpec spec) {
    String path = spec.input().path();
    try {
      return spark.read().format(spec.format()).load(path);
    } catch (Exception e) {
      throw JobErrors.inputUnreadable(path, spec.format(), JobErrors.rootMessage(e), e);
    }
  }

  /**
   * Checks keys and every model input against the input schema, and selects only the key and
   * feature columns (so the scan reads nothing else).
   */
  private static Dataset<Row> project(
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

  private void write(
      JobSpec spec,
      LocalDate ds,
      Dataset<Row> projected,
      ScoringSpec scoring,
      ScoringMetrics metrics,
      String commitInfo) {
    PartitionScorer scorer = new PartitionScorer(scoring, metrics);
    JavaRDD<InternalRow> rows = projected.queryExecution().toRdd().toJavaRDD();
    JavaRDD<InternalRow> predictions = rows.mapPartitions(scorer::score);
    String group = "inferlake-" + scoring.runId();
    predictions.setName(group); // the progress reporter follows the stages that run it
    // InternalRows straight into a DataFrame: no per-value conversion to external Rows and back.
    Dataset<Row> df =
        spark.internalCreateDataFrame(
            predictions.rdd(), PredictionSchema.of(scoring.keys()), false);
    spark.sparkContext().setJobGroup(group, "inferlake run " + scoring.runId(), false);
    ScoringProgress progress =
        progressOut == null
            ? null
            : new ScoringProgress(spark.sparkContext(), group, progressOut, progressEvery);
    try {
      PredictionWriter.write(df, spec.output().table(), ds, spec.models(), commitInfo);
    } catch (RuntimeException e) {
      InferlakeException cause = InferlakeException.findIn(e);
      if (cause != null) {
        throw new InferlakeException(cause.kind(), cause.getMessage(), e);
      }
      throw JobErrors.writeFailed(spec.output().table(), JobErrors.rootMessage(e), e);
    } finally {
      spark.sparkContext().clearJobGroup();
      if (progress != null) {
        progress.close();
      }
    }
  }

  private String commitInfo(JobSpec spec, LocalDate ds, String runId, List<ResolvedModel> models) {
    ObjectNode o = JSON.createObjectNode();
    o.put("run_id", runId);
    o.put("ds", ds.toString());
    o.put("input", spec.input().path());
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
    return o.toString();
  }

  private RunSummary summarize(
      JobSpec spec,
      LocalDate ds,
      String runId,
      Duration wall,
      List<ResolvedModel> models,
      ScoringMetrics metrics) {
    String table = spec.output().table();
    long version =
        io.delta.tables.DeltaTable.forPath(spark, table)
            .history(50)
            .where(functions.col("userMetadata").contains(runId))
            .select("version")
            .head()
            .getLong(0);
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
    List<RunSummary.VersionRows> versions = new ArrayList<>();
    for (ResolvedModel m : models) {
      versions.add(
          new RunSummary.VersionRows(
              m.spec().name(),
              m.spec().version(),
              m.manifest().sha256(),
              counts.getOrDefault(m.spec().label(), 0L)));
    }
    RunSummary.ModelLoads loads =
        new RunSummary.ModelLoads(
            metrics.loads(),
            metrics.hits(),
            metrics.loadMillis(),
            metrics.loadedBytes(),
            metrics.loadsPerExecutor(),
            models.stream().mapToLong(m -> m.manifest().packedBytes()).sum());
    return new RunSummary(runId, ds, table, version, wall, versions, loads);
  }
}
