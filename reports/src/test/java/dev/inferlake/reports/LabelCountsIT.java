package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.inferlake.reports.testing.TestSpark;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evaluation while scoring against the join ({@link Evaluator}, the oracle of {@link EvaluatorIT}):
 * the same predictions and labels, counted row by row into {@link LabelCounts} in partitions and
 * merged through a real {@link LabelCountsAccumulator}, give the same evaluation as the join on
 * Spark, for a binary, a five-class and a one-class classifier and a regressor, with labels that
 * are null, not integers, negative or not a class, and scores on bin edges, 0, 1 and out of range.
 * Partitions scored twice (a write run again, a failed job rerun) count once.
 */
class LabelCountsIT {
  record P(long id, String version, float[] probs, double prediction) {}

  static final int N = 3000;
  static final List<P> preds = new ArrayList<>();
  static final Map<Long, Double> labels = new HashMap<>();
  static Map<String, Evaluation> joined;

  @BeforeAll
  static void joinOnSpark() {
    SparkSession spark = TestSpark.session();
    Random r = new Random(23);
    for (long id = 0; id < N; id++) {
      int truth = r.nextInt(5);
      Double y;
      if (id % 50 == 7) {
        y = null;
      } else if (id % 97 == 5) {
        y = 0.5;
      } else if (id % 89 == 1) {
        y = -1.0;
      } else if (id % 71 == 4) {
        y = 7.0;
      } else {
        y = (double) truth;
      }
      labels.put(id, y);
      float p1;
      if (id % 31 == 0) {
        p1 = (float) (r.nextInt(11) / 10.0); // on calibration and ROC bin edges, 0 and 1
      } else {
        p1 = (float) Math.min(1, Math.max(0, (truth >= 2 ? 0.65 : 0.35) + r.nextGaussian() * 0.2));
      }
      preds.add(new P(id, "bin:1", new float[] {1 - p1, p1}, p1 >= 0.5 ? 1 : 0));
      float[] m = new float[5];
      float sum = 0;
      for (int c = 0; c < 5; c++) {
        m[c] = (float) Math.exp((c == truth ? 1.5 : 0) + r.nextGaussian() * 0.8);
        sum += m[c];
      }
      int best = 0;
      for (int c = 0; c < 5; c++) {
        m[c] /= sum;
        if (m[c] > m[best]) {
          best = c;
        }
      }
      if (id % 101 == 9) {
        m[0] = 1.2f; // a score out of range lands in the last bin
      }
      preds.add(new P(id, "multi:1", m, best));
      preds.add(new P(id, "one:1", new float[] {1f}, 0));
      preds.add(new P(id, "reg:1", null, truth * 1.5 + r.nextGaussian()));
    }
    List<Row> rows = new ArrayList<>();
    for (P p : preds) {
      String[] nv = p.version().split(":");
      rows.add(
          RowFactory.create(
              p.id(),
              p.prediction(),
              p.probs() == null ? null : EvaluatorIT.boxed(p.probs()),
              nv[0],
              nv[1]));
    }
    List<Row> lrows = new ArrayList<>();
    labels.forEach((id, y) -> lrows.add(RowFactory.create(id, y)));
    Dataset<Row> pdf = spark.createDataFrame(rows, EvaluatorIT.PREDICTIONS).repartition(3);
    Dataset<Row> ldf = spark.createDataFrame(lrows, EvaluatorIT.LABELS).repartition(2);
    joined = Evaluator.evaluate(pdf, ldf, List.of("id"), "y");
  }

  /** Counts of the rows of one partition (ids with {@code id % parts == part}), per version. */
  static Map<String, LabelCounts> countPartition(int part, int parts) {
    Map<String, LabelCounts> out = new TreeMap<>();
    for (P p : preds) {
      Double y = labels.get(p.id());
      if (p.id() % parts != part || y == null) {
        continue;
      }
      out.computeIfAbsent(p.version(), x -> new LabelCounts())
          .add(y, p.prediction(), p.probs(), p.probs() == null ? 0 : p.probs().length);
    }
    return out;
  }

  static Map<String, Evaluation> evaluations(Map<String, LabelCounts> counts) {
    Map<String, Evaluation> out = new TreeMap<>();
    counts.forEach((v, c) -> out.put(v, c.evaluation("y")));
    return out;
  }

  @Test
  void countedInPartitionsAndMergedItIsTheJoinsEvaluation() {
    // Parts published by tasks, merged on the "driver" in a shuffled order, some twice.
    List<LabelCountsAccumulator> tasks = new ArrayList<>();
    for (int part = 0; part < 7; part++) {
      LabelCountsAccumulator task = new LabelCountsAccumulator();
      task.add(new LabelCountsAccumulator.Part(0, part, countPartition(part, 7)));
      tasks.add(task);
    }
    tasks.add(tasks.get(3).copy());
    tasks.add(tasks.get(0).copy());
    Collections.shuffle(tasks, new Random(5));
    LabelCountsAccumulator driver = new LabelCountsAccumulator();
    tasks.forEach(driver::merge);
    assertEquals(7, driver.partitions(0));
    assertEquals(0, driver.partitions(1));
    Map<String, Evaluation> counted = evaluations(driver.value());
    assertEquals(joined.keySet(), counted.keySet());
    assertEquals(List.of("bin:1", "multi:1", "reg:1"), List.copyOf(counted.keySet()));
    for (String v : joined.keySet()) {
      assertSameEvaluation(joined.get(v), counted.get(v), v);
    }
  }

  @Test
  void theJoinsFiguresAreNotTrivial() {
    // The comparison above would be hollow if the join found nothing to count.
    Evaluation bin = joined.get("bin:1");
    Evaluation multi = joined.get("multi:1");
    assertEquals(N - N / 50, bin.labelledRows() + bin.unusableLabels());
    assertEquals(true, bin.unusableLabels() > 50);
    assertEquals(true, multi.unusableLabels() > 50);
    assertNotNull(bin.classification().rocAuc());
    assertEquals(5, multi.classification().classes());
    assertNotNull(joined.get("reg:1").regression().r2());
  }

  @Test
  void aVersionWhoseRowsDisagreeOnTheirClassesIsRefused() {
    LabelCounts c = new LabelCounts();
    c.add(1, 1, new float[] {0.2f, 0.8f}, 2);
    assertThrows(IllegalStateException.class, () -> c.add(1, 1, new float[] {0, 1, 0}, 3));
    assertNull(new LabelCounts().evaluation("y"));
  }

  /** Tasks on real Spark: jobs rerun over the same partitions publish them again. */
  @Test
  void partitionsScoredAgainOnSparkCountOnce() {
    SparkSession spark = TestSpark.session();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LabelCountsAccumulator acc = new LabelCountsAccumulator();
    spark.sparkContext().register(acc, "test.evaluation");
    int parts = 4;
    List<Integer> idx = List.of(0, 1, 2, 3);
    JavaRDD<Integer> rdd = jsc.parallelize(idx, parts);
    // A job that fails after partitions 0 and 1 published their counts (a failed chunk) ...
    boolean[] failOnce = {true};
    JavaRDD<Integer> publishing =
        rdd.mapPartitionsWithIndex(
            (i, it) -> {
              acc.add(new LabelCountsAccumulator.Part(0, i, countPartition(i, parts)));
              return it;
            },
            true);
    assertThrows(
        Exception.class,
        () ->
            publishing
                .map(
                    i -> {
                      if (i >= 2 && failOnce[0]) {
                        throw new IllegalStateException("task fails");
                      }
                      return i;
                    })
                .collect());
    // ... then the chunk scored again, twice over (a write run again after a conflict).
    publishing.count();
    publishing.count();
    assertEquals(parts, acc.partitions(0));
    Map<String, Evaluation> counted = evaluations(acc.value());
    for (String v : joined.keySet()) {
      assertSameEvaluation(joined.get(v), counted.get(v), v);
    }
  }

  static void assertSameEvaluation(Evaluation want, Evaluation got, String v) {
    assertNotNull(got, v);
    assertEquals(want.labelColumn(), got.labelColumn(), v);
    assertEquals(want.labelledRows(), got.labelledRows(), v);
    assertEquals(want.unusableLabels(), got.unusableLabels(), v);
    if (want.regression() != null) {
      assertNull(got.classification(), v);
      close(want.regression().rmse(), got.regression().rmse(), v + " rmse");
      close(want.regression().mae(), got.regression().mae(), v + " mae");
      close(want.regression().r2(), got.regression().r2(), v + " r2");
      return;
    }
    Evaluation.Classification a = want.classification();
    Evaluation.Classification b = got.classification();
    assertEquals(a.classes(), b.classes(), v);
    for (int i = 0; i < a.classes(); i++) {
      assertArrayEquals(a.confusion()[i], b.confusion()[i], v + " confusion row " + i);
    }
    assertEquals(a.accuracy(), b.accuracy(), v);
    assertEquals(a.precisionMacro(), b.precisionMacro(), v);
    assertEquals(a.recallMacro(), b.recallMacro(), v);
    assertEquals(a.f1Macro(), b.f1Macro(), v);
    assertEquals(a.rocAuc(), b.rocAuc(), v + " roc auc (from equal bin counts)");
    close(a.logLoss(), b.logLoss(), v + " log loss");
    for (int i = 0; i < 10; i++) {
      Evaluation.CalibrationBin x = a.calibration().get(i);
      Evaluation.CalibrationBin y = b.calibration().get(i);
      assertEquals(x.rows(), y.rows(), v + " calibration rows " + i);
      close(x.meanScore(), y.meanScore(), v + " calibration score " + i);
      assertEquals(x.observed(), y.observed(), v + " calibration observed " + i);
    }
  }

  /** Sums taken in another order: equal to rounding. */
  static void close(Double want, Double got, String what) {
    if (want == null || got == null || want.isNaN()) {
      assertEquals(want, got, what);
      return;
    }
    assertEquals(want, got, Math.abs(want) * 1e-12 + 1e-15, what);
  }
}
