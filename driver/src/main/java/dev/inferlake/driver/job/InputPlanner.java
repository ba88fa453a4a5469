package dev.inferlake.driver.job;

import dev.inferlake.driver.compat.SparkCompat;
import dev.inferlake.driver.session.SessionConf;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.partitioning.FileRange;
import dev.inferlake.partitioning.InputFile;
import dev.inferlake.partitioning.ParquetFooters;
import dev.inferlake.partitioning.PartitionPlan;
import dev.inferlake.partitioning.PartitionPlanner;
import dev.inferlake.partitioning.PlanTarget;
import dev.inferlake.partitioning.RowGroup;
import dev.inferlake.partitioning.Slots;
import dev.inferlake.partitioning.TaskCost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partition;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.FilePartition;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Cuts a job's input into tasks by {@code partitioning}. In {@code metadata} mode, Spark is asked
 * to cut the input finely (about one row group per piece), every piece's rows are counted from
 * Parquet footers or Delta statistics, and the {@link PartitionPlanner}'s groups are applied to the
 * scan's RDD without a shuffle. Spark's own readers still read the data (vectorized Parquet, Delta
 * deletion vectors); only the grouping is ours.
 */
public final class InputPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(InputPlanner.class);

  /** Files above this size get their footer read even when Delta statistics count their rows. */
  private static final long SPLIT_CANDIDATE_BYTES = 16L << 20;

  private static final long MIN_PIECE_BYTES = 128L << 10;
  private static final long MAX_PIECE_BYTES = 64L << 20;
  private static final int FOOTER_THREADS = 16;

  /** What planning made of an input. */
  public record Planned(JavaRDD<InternalRow> rows, PartitionPlan plan, String source) {}

  private final SparkSession spark;
  private final JobSpec.Partitioning settings;
  private final Slots slots;
  private final long rowsPerTask;
  private final String rowsPerTaskSource;
  private final String deltaPath;
  private final Long deltaVersion;

  /** Whether the input is a folder of picture files ({@code input.format: images}). */
  private boolean pictures;

  /** Why the input is cut by Spark's splits whatever the settings say; null when it need not be. */
  private String noFooters;

  private InputPlanner(
      SparkSession spark,
      JobSpec.Partitioning settings,
      Slots slots,
      long rowsPerTask,
      String rowsPerTaskSource,
      String deltaPath,
      Long deltaVersion) {
    this.spark = spark;
    this.settings = settings;
    this.slots = slots;
    this.rowsPerTask = rowsPerTask;
    this.rowsPerTaskSource = rowsPerTaskSource;
    this.deltaPath = deltaPath;
    this.deltaVersion = deltaVersion;
  }

  /**
   * A planner for {@code spec}'s input.
   *
   * @param deltaVersion the Delta version being read; null for Parquet input
   * @param pilot the latest run of the job's model versions, whose task cost sizes tasks when the
   *     job does not set {@code rows_per_task}; null when none was looked up
   */
  public static InputPlanner of(
      SparkSession spark, JobSpec spec, Long deltaVersion, PilotRun pilot) {
    JobSpec.Partitioning p = spec.partitioningOrDefault();
    if (spec.format().equals(JobSpec.IMAGES_FORMAT) && p.byMetadata()) {
      // picture files have no footers to plan by: one row per file, in Spark's file splits
      p = new JobSpec.Partitioning("spark", p.targetTaskSeconds(), p.rowsPerTask(), p.maxSkew());
    }
    Slots slots = slots(spark, spec.deviceOrDefault());
    long rows = JobSpec.Partitioning.DEFAULT_ROWS_PER_TASK;
    String source;
    int batch =
        spec.batchSizeOrDefault() == ScoringSpec.AUTO_BATCH_SIZE
            ? JobSpec.DEFAULT_BATCH_SIZE
            : spec.batchSizeOrDefault();
    TaskCost cost = pilot == null ? null : pilot.cost();
    if (p.rowsPerTask() != null) {
      rows = p.rowsPerTask();
      source = "partitioning.rows_per_task";
    } else if (cost != null && cost.sizesTasks()) {
      double target = p.targetTaskSecondsOrDefault();
      rows = PlanTarget.rowsPerTask(cost, target, batch);
      source =
          String.format(
              "%.0f s tasks at the engine's %,.0f rows/s plus %.2f s a task, as measured in the"
                  + " last run of these models",
              target, cost.engineRowsPerSecond(), cost.fixedSecondsPerTask());
    } else if (cost != null) {
      source =
          String.format(
              "the default: %,d rows a task in the last run of these models are too few to size"
                  + " tasks by (%,d needed)",
              cost.pilotRowsPerTask(), TaskCost.MIN_PILOT_ROWS_PER_TASK);
    } else {
      source =
          "the default: "
              + (pilot == null ? "no earlier run of these models to measure by" : pilot.missing());
    }
    InputPlanner planner =
        new InputPlanner(
            spark,
            p,
            slots,
            rows,
            source,
            spec.format().equals("delta") ? spec.input().path() : null,
            deltaVersion);
    planner.pictures = spec.format().equals(JobSpec.IMAGES_FORMAT);
    if (!planner.pictures && !List.of("parquet", "delta").contains(spec.format())) {
      planner.noFooters =
          "Spark's file splits: " + spec.format() + " input has no row-group metadata to plan by";
    }
    return planner;
  }

  /**
   * A planner that keeps Spark's own file splits ({@code partitioning.mode: spark}), reading no
   * footers, statistics or runs table: for an incremental run's micro-batches, whose few new files
   * are not worth a metadata plan.
   */
  static InputPlanner fileSplits(SparkSession spark, JobSpec spec) {
    return new InputPlanner(
        spark,
        new JobSpec.Partitioning("spark", null, null, null),
        slots(spark, spec.deviceOrDefault()),
        JobSpec.Partitioning.DEFAULT_ROWS_PER_TASK,
        "Spark's file splits (an incremental micro-batch)",
        null,
        null);
  }

  public Slots slots() {
    return slots;
  }

  public long rowsPerTask() {
    return rowsPerTask;
  }

  /** Where {@link #rowsPerTask()} came from, for the printed plan. */
  public String rowsPerTaskSource() {
    return rowsPerTaskSource;
  }

  /**
   * Task slots: executor cores over {@code spark.task.cpus}, or, for GPU jobs on a cluster that
   * gives executors GPUs, the GPU task slots.
   */
  static Slots slots(SparkSession spark, Device device) {
    SparkContext sc = spark.sparkContext();
    int taskCpus = Integer.parseInt(sc.getConf().get("spark.task.cpus", "1"));
    double gpuPerExecutor = sc.getConf().getDouble("spark.executor.resource.gpu.amount", 0);
    if (device != Device.CPU && gpuPerExecutor > 0) {
      double gpuPerTask = sc.getConf().getDouble("spark.task.resource.gpu.amount", 1);
      int executors = sc.isLocal() ? 1 : Math.max(1, sc.getExecutorMemoryStatus().size() - 1);
      return Slots.gpu(executors, gpuPerExecutor, gpuPerTask);
    }
    return Slots.cpu(sc.defaultParallelism(), taskCpus);
  }

  /** The rows of {@code input}, cut into tasks as the job's {@code partitioning} says. */
  public Planned plan(Dataset<Row> input) {
    if (pictures) {
      return planPictures(input);
    }
    if (!settings.byMetadata() || noFooters != null) {
      return new Planned(
          input.queryExecution().toRdd().toJavaRDD(),
          null,
          noFooters != null ? noFooters : "Spark's file splits (mode spark)");
    }
    long t0 = System.nanoTime();
    // The files the scan reads: after partition pruning by input.where (and, for Delta, file
    // skipping by its statistics), which Dataset.inputFiles does not apply.
    List<Path> paths = new ArrayList<>();
    for (String f : scannedFiles(input)) {
      paths.add(new Path(f));
    }
    Map<String, InputFile> files = new HashMap<>();
    int fromDelta = 0;
    if (deltaPath != null) {
      for (InputFile f : DeltaStats.files(spark, deltaPath, deltaVersion)) {
        files.put(f.path(), f);
      }
      fromDelta = files.size();
    }
    // Footers: every Parquet file; Delta files only where they may need splitting.
    List<String> toRead = new ArrayList<>();
    for (Path p : paths) {
      InputFile known = files.get(p.toString());
      // a file that may hold more than half a task's rows may need splitting by row group
      if (known == null
          || known.bytes() > SPLIT_CANDIDATE_BYTES
          || known.rows() > rowsPerTask / 2) {
        toRead.add(p.toString());
      }
    }
    org.apache.hadoop.conf.Configuration conf = spark.sessionState().newHadoopConf();
    files.putAll(ParquetFooters.read(conf, toRead, FOOTER_THREADS));
    long pieceBytes = pieceBytes(files.values());

    RDD<InternalRow> scan = withPieceSize(input, pieceBytes);
    Partition[] parts = scan.partitions();
    List<List<FileRange>> pieces = new ArrayList<>();
    Set<String> unknown = new HashSet<>();
    for (Partition part : parts) {
      if (!(part instanceof FilePartition fp)) {
        return new Planned(
            scan.toJavaRDD(),
            null,
            "Spark's splits: the input is not read as files ("
                + part.getClass().getSimpleName()
                + ")");
      }
      List<FileRange> ranges = new ArrayList<>();
      for (PartitionedFile pf : fp.files()) {
        String path = pf.toPath().toString();
        if (!files.containsKey(path)) {
          unknown.add(path);
        }
        ranges.add(new FileRange(path, pf.start(), pf.length()));
      }
      pieces.add(ranges);
    }
    if (!unknown.isEmpty()) {
      // a file the scan reads but inputFiles did not list (should not happen): read its footer
      files.putAll(ParquetFooters.read(conf, new ArrayList<>(unknown), FOOTER_THREADS));
    }
    PartitionPlan plan =
        PartitionPlanner.plan(
            pieces, files, new PlanTarget(slots, rowsPerTask, settings.maxSkewOrDefault()));
    String source =
        String.format(
            "metadata: %d file(s) (%d Parquet footer(s) read%s), cut in %d piece(s) of up to %s",
            paths.size(),
            toRead.size() + unknown.size(),
            deltaPath != null ? ", " + fromDelta + " Delta file statistics" : "",
            parts.length,
            bytes(pieceBytes));
    LOG.info(
        "planned {} partition(s) in {} ms from {}; rows per partition min {} / median {} / max {}"
            + " (skew {}), {} {} slot(s){}",
        plan.size(),
        (System.nanoTime() - t0) / 1_000_000,
        source,
        plan.minRows(),
        (long) plan.medianRows(),
        plan.maxRows(),
        String.format("%.2f", plan.skew()),
        slots.count(),
        slots.kind(),
        plan.notes().isEmpty() ? "" : "; " + String.join("; ", plan.notes()));
    int[][] groups =
        plan.partitions().stream().map(PartitionPlan.Partition::pieces).toArray(int[][]::new);
    RDD<InternalRow> grouped =
        scan.coalesce(groups.length, false, Option.apply(new PlannedGroups(groups)), null);
    return new Planned(grouped.toJavaRDD(), plan, source);
  }

  /** The files of {@code input}'s scan, as its partitions name them; its listing is cached. */
  private java.util.Collection<String> scannedFiles(Dataset<Row> input) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Partition part : withPieceSize(input, MAX_PIECE_BYTES).partitions()) {
      if (!(part instanceof FilePartition fp)) {
        return java.util.Arrays.asList(input.inputFiles()); // cut by Spark below
      }
      for (PartitionedFile pf : fp.files()) {
        out.add(pf.toPath().toString());
      }
    }
    return out;
  }

  /**
   * About one row group per piece: the size of the row group that holds the median row (so the many
   * tiny row groups of small files do not set the cut), within 128 KiB .. 64 MiB.
   */
  private static long pieceBytes(java.util.Collection<InputFile> files) {
    List<RowGroup> groups = new ArrayList<>();
    long rows = 0;
    for (InputFile f : files) {
      groups.addAll(f.rowGroups());
      for (RowGroup g : f.rowGroups()) {
        rows += g.rows();
      }
    }
    if (groups.isEmpty()) {
      return SPLIT_CANDIDATE_BYTES;
    }
    groups.sort(java.util.Comparator.comparingLong(RowGroup::bytes));
    long seen = 0;
    long median = groups.get(groups.size() - 1).bytes();
    for (RowGroup g : groups) {
      seen += g.rows();
      if (seen * 2 >= rows) {
        median = g.bytes();
        break;
      }
    }
    return Math.max(MIN_PIECE_BYTES, Math.min(MAX_PIECE_BYTES, median));
  }

  /** The scan's RDD, cut with {@code spark.sql.files.maxPartitionBytes} = {@code bytes}. */
  private RDD<InternalRow> withPieceSize(Dataset<Row> input, long bytes) {
    // A new execution, so the scan is planned under this setting; its partitions are fixed now.
    return SessionConf.with(
        spark,
        "spark.sql.files.maxPartitionBytes",
        Long.toString(bytes),
        () -> SparkCompat.replannedRdd(spark, input));
  }

  private static String bytes(long b) {
    return b >= 1 << 20 ? (b >> 20) + " MiB" : (b >> 10) + " KiB";
  }

  /**
   * A folder of pictures: one row per file, so Spark's file splits (which count each small file as
   * {@code spark.sql.files.openCostInBytes}, 4 MB, and so make a task of every 32 pictures) are
   * merged without a shuffle into the task slots' count, or into tasks of {@link #rowsPerTask()}
   * pictures when there are more.
   */
  private Planned planPictures(Dataset<Row> input) {
    JavaRDD<InternalRow> rdd = input.queryExecution().toRdd().toJavaRDD();
    long files = input.inputFiles().length;
    long byRows = (files + rowsPerTask - 1) / rowsPerTask;
    int tasks = (int) Math.min(Integer.MAX_VALUE, Math.max(slots.count(), byRows));
    if (rdd.getNumPartitions() > tasks) {
      rdd = rdd.coalesce(tasks);
    }
    return new Planned(
        rdd,
        null,
        String.format(
            "%,d picture files in %d tasks (Spark's file splits merged to the task slots, at most"
                + " %,d files a task)",
            files, rdd.getNumPartitions(), rowsPerTask));
  }

  /** Applies a plan's groups to the scan's partitions (a no-shuffle coalesce). */
  static final class PlannedGroups implements SparkCompat.SerializableCoalescer {
    private static final long serialVersionUID = 1L;
    private final int[][] groups;

    PlannedGroups(int[][] groups) {
      this.groups = groups;
    }

    @Override
    public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
      Partition[] parts = parent.partitions();
      PartitionGroup[] out = new PartitionGroup[groups.length];
      for (int g = 0; g < groups.length; g++) {
        Option<String> loc = Option.empty();
        if (groups[g].length > 0) {
          scala.collection.Seq<String> locs = parent.preferredLocations(parts[groups[g][0]]);
          if (!locs.isEmpty()) {
            loc = Option.apply(locs.head());
          }
        }
        out[g] = new PartitionGroup(loc);
        for (int i : groups[g]) {
          out[g].partitions().$plus$eq(parts[i]);
        }
      }
      return out;
    }
  }
}
