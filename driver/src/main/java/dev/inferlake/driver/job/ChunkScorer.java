package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.compat.SparkCompat;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.PartitionScorer;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.ScoringSpec;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * Turns one chunk of input rows into what a sink commits: the input cut into planned partitions,
 * the validation pass that lists the rows a model cannot take (unless {@code on_invalid: fail}),
 * the check of their share, and the lazy prediction rows. Nothing is written here.
 */
final class ChunkScorer {
  private final SparkSession spark;
  private final JobSpec spec;
  private final String group;
  private final InputPlanner planner;

  /**
   * @param group the run's Spark job group; the scoring RDDs are named after it (the progress line
   *     follows the stages that run them)
   */
  ChunkScorer(SparkSession spark, JobSpec spec, String group, InputPlanner planner) {
    this.spark = spark;
    this.spec = spec;
    this.group = group;
    this.planner = planner;
  }

  /**
   * One chunk, scored lazily. Close it once committed: it holds the validation pass's rejects.
   *
   * @param predictions the prediction rows, computed when written
   * @param rejects every row a model could not take, cached; null under {@code on_invalid: fail}
   * @param rowsIn input rows counted by the validation pass; -1 when none ran
   * @param invalid rejected rows per {@code name:version}
   */
  record Scored(
      Dataset<Row> predictions, Dataset<Row> rejects, long rowsIn, Map<String, Long> invalid)
      implements AutoCloseable {
    @Override
    public void close() {
      if (rejects != null) {
        rejects.unpersist();
      }
    }
  }

  /**
   * Plans and scores {@code input}; under {@code skip}/{@code quarantine}, counts the input and the
   * rows each model rejects, and records both (and the plan) in {@code commitInfo}.
   *
   * @throws dev.inferlake.model.InferlakeException INPUT when a model rejects more than {@code
   *     max_invalid_fraction} of the rows
   */
  Scored score(
      Dataset<Row> input, ScoringSpec scoring, ScoringMetrics metrics, ObjectNode commitInfo) {
    return score(input, scoring, metrics, commitInfo, null, -1);
  }

  /**
   * As {@link #score(Dataset, ScoringSpec, ScoringMetrics, ObjectNode)}, counting what evaluation
   * needs while scoring when {@code inline} is not null.
   *
   * @param chunk the chunk's index in the run's plan
   */
  Scored score(
      Dataset<Row> input,
      ScoringSpec scoring,
      ScoringMetrics metrics,
      ObjectNode commitInfo,
      InlineEvaluation inline,
      int chunk) {
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
    JavaRDD<InternalRow> predicted;
    if (inline == null) {
      predicted = rows.mapPartitions(scorer::score);
    } else {
      dev.inferlake.executors.LabelTap tap = inline.tap(chunk, rows.getNumPartitions());
      predicted = rows.mapPartitionsWithIndex((i, it) -> scorer.score(it, tap, i), true);
    }
    predicted.setName(group);
    // InternalRows straight into a DataFrame: no per-value conversion to Rows and back.
    Dataset<Row> predictions =
        SparkCompat.internalCreateDataFrame(
            spark, predicted.rdd(), PredictionSchema.of(scoring.keys(), scoring.models()));
    OnInvalid onInvalid = scoring.onInvalid();
    if (onInvalid == OnInvalid.FAIL) {
      return new Scored(predictions, null, -1, Map.of());
    }
    JavaRDD<InternalRow> r = rows.mapPartitions(scorer::rejects);
    r.setName(group + "-validate");
    Dataset<Row> rejects =
        SparkCompat.internalCreateDataFrame(spark, r.rdd(), QuarantineSchema.of(scoring.keys()))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Scored scored = null;
    try {
      long rowsIn = input.count();
      Map<String, Long> invalid = new TreeMap<>();
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
      scored = new Scored(predictions, rejects, rowsIn, Map.copyOf(invalid));
      return scored;
    } finally {
      if (scored == null) {
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
}
