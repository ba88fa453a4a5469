package dev.inferlake.driver.job;

import dev.inferlake.driver.sink.ChunkPlan;
import dev.inferlake.executors.LabelTap;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.Task;
import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.LabelCounts;
import dev.inferlake.reports.LabelCountsAccumulator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;

/**
 * Evaluation while scoring: when the label column is in the input, the scoring pass counts on the
 * executors what the metrics need ({@link LabelCounts}, per version and partition), the driver
 * merges the counts ({@link LabelCountsAccumulator}, each partition once), and no join with the
 * labels runs after the commit. The results are those of {@link dev.inferlake.reports.Evaluator}.
 *
 * <p>Falls back to the join (returns null from {@link #of} or {@link #evaluations}) when it cannot
 * see every committed row: a run resumed after earlier chunks were committed by another process, a
 * partition whose counts did not come back, or a model whose rows the join reads from columns other
 * than {@code prediction} and {@code probabilities} (multilabel, several targets, embeddings, raw
 * outputs).
 */
final class InlineEvaluation {
  /**
   * A Spark conf: {@code false} evaluates by the join after the commit, as before evaluation while
   * scoring (for comparing the two; default {@code true}).
   */
  static final String CONF = "spark.inferlake.evaluation.whileScoring";

  private final LabelCountsAccumulator counts;
  private final String[] versions;
  private final int labelOrdinal;
  private final DataType labelType;
  private final Map<Integer, Integer> expected = new HashMap<>();

  private InlineEvaluation(
      LabelCountsAccumulator counts, String[] versions, int labelOrdinal, DataType labelType) {
    this.counts = counts;
    this.versions = versions;
    this.labelOrdinal = labelOrdinal;
    this.labelType = labelType;
  }

  /**
   * Evaluation while scoring for this run, or null when the run evaluates nothing or must use the
   * join.
   */
  static InlineEvaluation of(
      SparkSession spark, JobInput input, List<ScoredModel> models, ChunkPlan plan) {
    String label = input.labelColumn();
    if (label == null
        || plan.firstChunk() > 0
        || !Boolean.parseBoolean(spark.conf().get(CONF, "true"))) {
      return null;
    }
    for (ScoredModel m : models) {
      if (!supported(m)) {
        return null;
      }
    }
    LabelCountsAccumulator acc = new LabelCountsAccumulator();
    spark.sparkContext().register(acc, "inferlake.evaluation");
    org.apache.spark.sql.types.StructType schema = input.projected().schema();
    return new InlineEvaluation(
        acc,
        models.stream().map(ScoredModel::label).toArray(String[]::new),
        schema.fieldIndex(label),
        schema.apply(label).dataType());
  }

  /** Whether a model's rows are evaluated from {@code prediction} and {@code probabilities}. */
  static boolean supported(ScoredModel m) {
    Task.Kind k = m.task().kind();
    return k == Task.Kind.CLASSIFIER
        || k == Task.Kind.BINARY
        || (k == Task.Kind.REGRESSOR && m.outputWidth() == 1);
  }

  /** The tap for chunk {@code chunk}, whose scoring pass has {@code partitions} partitions. */
  LabelTap tap(int chunk, int partitions) {
    expected.put(chunk, partitions);
    return new Tap(counts, versions, labelOrdinal, labelType, chunk);
  }

  /**
   * Per {@code name:version}, the evaluation counted while scoring; null when some scored partition
   * did not hand its counts back (the caller then joins).
   */
  Map<String, Evaluation> evaluations(String labelColumn) {
    for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
      if (counts.partitions(e.getKey()) != e.getValue()) {
        return null;
      }
    }
    Map<String, Evaluation> out = new TreeMap<>();
    counts.value().forEach((v, c) -> out.put(v, c.evaluation(labelColumn)));
    return out;
  }

  /** What goes to the executors: the accumulator and how to read a row. */
  private record Tap(
      LabelCountsAccumulator counts,
      String[] versions,
      int labelOrdinal,
      DataType labelType,
      int chunk)
      implements LabelTap {
    @Override
    public Partition open(int partition) {
      return new Counter(this, partition);
    }
  }

  /** One partition's counts, handed to the accumulator when the partition is done. */
  private static final class Counter implements LabelTap.Partition {
    private final Tap tap;
    private final int partition;
    private final LabelCounts[] perModel;
    private final float[][] probabilities;

    Counter(Tap tap, int partition) {
      this.tap = tap;
      this.partition = partition;
      int m = tap.versions().length;
      perModel = new LabelCounts[m];
      probabilities = new float[m][];
      for (int i = 0; i < m; i++) {
        perModel[i] = new LabelCounts();
      }
    }

    @Override
    public void row(int model, double label, InternalRow row, int p) {
      double prediction = row.isNullAt(p) ? Double.NaN : row.getDouble(p);
      float[] probs = null;
      int width = 0;
      if (!row.isNullAt(p + 1)) {
        ArrayData a = row.getArray(p + 1);
        width = a.numElements();
        probs = probabilities[model];
        if (probs == null || probs.length < width) {
          probs = probabilities[model] = new float[width];
        }
        for (int i = 0; i < width; i++) {
          probs[i] = a.getFloat(i);
        }
      }
      perModel[model].add(label, prediction, probs, width);
    }

    @Override
    public void done() {
      Map<String, LabelCounts> out = new TreeMap<>();
      for (int i = 0; i < perModel.length; i++) {
        out.put(tap.versions()[i], perModel[i]);
      }
      tap.counts().add(new LabelCountsAccumulator.Part(tap.chunk(), partition, out));
    }
  }
}
