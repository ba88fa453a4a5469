package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The arithmetic of the metrics for embeddings, multilabel models and regressors with several
 * targets, on cases small enough to work out by hand (the working is in the comments).
 */
class TaskMetricsTest {

  @Test
  void cosineSimilarityOfHandPickedVectors() {
    assertEquals(1 / Math.sqrt(2), EmbeddingSimilarity.cosine(f(1, 0), f(1, 1)), 1e-15);
    // (3,4).(4,3) = 24, |.| = 5 each
    assertEquals(0.96, EmbeddingSimilarity.cosine(f(3, 4), f(4, 3)), 1e-15);
    assertEquals(-1.0, EmbeddingSimilarity.cosine(f(1, 2, 3), f(-2, -4, -6)), 1e-15);
    assertTrue(Double.isNaN(EmbeddingSimilarity.cosine(f(0, 0), f(1, 1))), "a zero vector");
    assertTrue(Double.isNaN(EmbeddingSimilarity.cosine(f(1, 0), f(1, 0, 0))), "widths differ");
  }

  @Test
  void cosineMeanAndPercentilesFromBins() {
    // 100 keys: one at -0.5, four at 0.2, 95 at 0.9. Mean (-0.5 + 0.8 + 85.5) / 100 = 0.858.
    // 1st percentile: the 1st smallest, -0.5; 5th: the 5th smallest, 0.2.
    long[] bins = new long[EmbeddingSimilarity.COSINE_BINS];
    bins[EmbeddingSimilarity.bin(-0.5)] += 1;
    bins[EmbeddingSimilarity.bin(0.2)] += 4;
    bins[EmbeddingSimilarity.bin(0.9)] += 95;
    EmbeddingSimilarity.Cosine c = EmbeddingSimilarity.Cosine.of(bins, 85.8);
    assertEquals(100, c.keys());
    assertEquals(0.858, c.mean(), 1e-12);
    // a percentile is its bin's lower edge: within one bin width below the value
    assertEquals(-0.5, c.p1(), EmbeddingSimilarity.COSINE_RESOLUTION);
    assertTrue(c.p1() <= -0.5 + 1e-12);
    assertEquals(0.2, c.p5(), EmbeddingSimilarity.COSINE_RESOLUTION);
    assertTrue(c.p5() <= 0.2 + 1e-12);
    // 100 more at 0.9: of 200 keys the 1st percentile is the 2nd smallest (0.2) and the 5th
    // the 10th smallest (0.9: only five keys lie below it)
    bins[EmbeddingSimilarity.bin(0.9)] += 100;
    EmbeddingSimilarity.Cosine d = EmbeddingSimilarity.Cosine.of(bins, 85.8 + 90);
    assertEquals(0.2, d.p1(), EmbeddingSimilarity.COSINE_RESOLUTION);
    assertEquals(0.9, d.p5(), EmbeddingSimilarity.COSINE_RESOLUTION);
    assertEquals(175.8 / 200, d.mean(), 1e-12);
    // the ends of the range
    assertEquals(0, EmbeddingSimilarity.bin(-1.0));
    assertEquals(EmbeddingSimilarity.COSINE_BINS - 1, EmbeddingSimilarity.bin(1.0));
    assertTrue(Double.isNaN(EmbeddingSimilarity.Cosine.of(new long[20_000], 0).mean()));
    assertThrows(
        IllegalArgumentException.class, () -> EmbeddingSimilarity.Cosine.of(new long[3], 0));
  }

  @Test
  void nearestNeighbourOverlapOfHandPickedKeys() {
    // Version a: k0=(1,0) k1=(1,0.1) k2=(0,1) k3=(0.1,1). Nearest by cosine:
    //   k0->k1 (0.995), k1->k0 (0.995), k2->k3 (0.995), k3->k2 (0.995).
    float[][] a = {f(1, 0), f(1, 0.1f), f(0, 1), f(0.1f, 1)};
    // Version b moves k3 to (1,0.2): cos(k1,k3) = 1.02/sqrt(1.01*1.04) = 0.99523 beats
    //   cos(k1,k0) = 0.99504; cos(k2,k3) = 0.196 beats cos(k2,k1) = 0.0995.
    //   k0->k1 (0.995 > 0.9806) same; k1->k3 differs; k2->k3 same; k3->k1 differs: 2 of 4.
    float[][] b = {f(1, 0), f(1, 0.1f), f(0, 1), f(1, 0.2f)};
    assertEquals(0.5, EmbeddingSimilarity.neighbourOverlap(a, b, 1), 1e-12);
    assertEquals(1.0, EmbeddingSimilarity.neighbourOverlap(a, a, 1), 1e-12);
    // widths may differ: the same points with a third coordinate 0 have the same neighbours
    float[][] a3 = {f(1, 0, 0), f(1, 0.1f, 0), f(0, 1, 0), f(0.1f, 1, 0)};
    assertEquals(1.0, EmbeddingSimilarity.neighbourOverlap(a, a3, 1), 1e-12);
    // k = 3 with 4 keys: every other key is a neighbour in both, whatever the order
    assertEquals(1.0, EmbeddingSimilarity.neighbourOverlap(a, b, 3), 1e-12);
    // k larger than the sample allows is capped at n - 1
    assertEquals(1.0, EmbeddingSimilarity.neighbourOverlap(a, b, 10), 1e-12);
    // k = 2: a: k0{k1,k3} k1{k0,k3} k2{k3,k1} k3{k2,k1}
    //        b: k0{k1,k3} k1{k3,k0} k2{k3,k1} k3{k1,k0}: overlaps 2,2,2,1 of 2 -> 7/8
    assertEquals(7.0 / 8, EmbeddingSimilarity.neighbourOverlap(a, b, 2), 1e-12);
    // a key with a zero vector has no neighbours and is left out (and is nobody's neighbour)
    float[][] z = {f(1, 0), f(1, 0.1f), f(0, 1), f(0, 0)};
    // a without k3: k0->k1, k1->k0, k2->k1 (0.0995 > 0); z: the same -> 1
    float[][] a0 = {f(1, 0), f(1, 0.1f), f(0, 1), f(0.1f, 1)};
    a0[3] = new float[] {0, 0};
    assertEquals(1.0, EmbeddingSimilarity.neighbourOverlap(a0, z, 1), 1e-12);
    assertTrue(
        Double.isNaN(
            EmbeddingSimilarity.neighbourOverlap(new float[][] {f(1)}, new float[][] {f(1)}, 10)));
    assertThrows(
        IllegalArgumentException.class,
        () -> EmbeddingSimilarity.neighbourOverlap(a, new float[][] {f(1, 0)}, 1));
  }

  /** The four rows of {@link #multilabelFromCountsOfFourRows}, as labels and predictions. */
  static final double[][] ML_LABELS = {{1, 0, 1}, {0, 1, 0}, {1, 1, 0}, {0, 0, 0}};

  static final double[][] ML_PREDICTIONS = {{1, 0, 0}, {0, 1, 0}, {1, 0, 1}, {0, 0, 0}};

  @Test
  void multilabelFromCountsOfFourRows() {
    // rows (label / predicted): r0 101/100, r1 010/010, r2 110/101, r3 000/000
    // label 0: TP r0 r2 -> tp 2 fp 0 fn 0        F1 1
    // label 1: TP r1, FN r2 -> tp 1 fp 0 fn 1     F1 2/3
    // label 2: FN r0, FP r2 -> tp 0 fp 1 fn 1     F1 0
    // micro: 2*3 / (2*3 + 1 + 2) = 2/3; macro (1 + 2/3 + 0) / 3 = 5/9
    // Hamming: 3 wrong cells of 12 = 0.25; exact rows r1 r3: 0.5
    Evaluation.Multilabel m =
        Evaluation.Multilabel.of(
            new long[] {2, 1, 0}, new long[] {0, 0, 1}, new long[] {0, 1, 1}, 4, 2);
    assertEquals(3, m.labels());
    assertEquals(2.0 / 3, m.f1Micro(), 1e-12);
    assertEquals(5.0 / 9, m.f1Macro(), 1e-12);
    assertEquals(0.25, m.hammingLoss(), 1e-12);
    assertEquals(0.5, m.subsetAccuracy(), 1e-12);
    // a label that never occurs (no tp, fp, fn) is left out of the macro average
    Evaluation.Multilabel n =
        Evaluation.Multilabel.of(new long[] {2, 0}, new long[] {0, 0}, new long[] {0, 0}, 4, 4);
    assertEquals(1.0, n.f1Macro(), 1e-12);
    assertEquals(0.0, n.hammingLoss(), 1e-12);
    Map<String, Double> metrics =
        ReportMetrics.of(null, new Evaluation("y", 4, 0, null, null, m, null), null, null, null);
    assertEquals(2.0 / 3, metrics.get("f1_micro"), 1e-12);
    assertEquals(5.0 / 9, metrics.get("f1_macro"), 1e-12);
    assertEquals(0.25, metrics.get("hamming_loss"), 1e-12);
    assertEquals(0.5, metrics.get("subset_accuracy"), 1e-12);
    assertNull(metrics.get("accuracy"));
    assertTrue(ReportMetrics.LOWER_IS_BETTER.contains("hamming_loss"));
  }

  @Test
  void multiTargetErrorsPerTargetAndTheirMeans() {
    // n = 4; target 0: squared errors 4, absolute 4, label variance 2 -> rmse 1, mae 1,
    //   r2 1 - 4 / (4 * 2) = 0.5; target 1: 1, 2, variance 0 -> rmse 0.5, mae 0.5, no r2
    Evaluation.MultiTarget t =
        Evaluation.MultiTarget.of(4, new double[] {4, 1}, new double[] {4, 2}, new double[] {2, 0});
    assertEquals(2, t.targets());
    assertArrayEquals(new double[] {1, 0.5}, t.rmse(), 1e-12);
    assertArrayEquals(new double[] {1, 0.5}, t.mae(), 1e-12);
    assertEquals(0.5, t.r2()[0], 1e-12);
    assertTrue(Double.isNaN(t.r2()[1]));
    assertEquals(0.75, t.rmseMean(), 1e-12);
    assertEquals(0.75, t.maeMean(), 1e-12);
    assertEquals(0.5, t.r2Mean(), 1e-12);
    Map<String, Double> metrics =
        ReportMetrics.of(null, new Evaluation("y", 4, 0, null, null, null, t), null, null, null);
    assertEquals(0.75, metrics.get("rmse_mean"), 1e-12);
    assertEquals(0.5, metrics.get("r2_mean"), 1e-12);
    assertNull(metrics.get("rmse"));
  }

  @Test
  void anEvaluationIsOfExactlyOneKind() {
    Evaluation.MultiTarget t =
        Evaluation.MultiTarget.of(1, new double[] {0}, new double[] {0}, new double[] {0});
    assertThrows(
        IllegalArgumentException.class,
        () -> new Evaluation("y", 1, 0, null, Evaluation.Regression.of(1, 0, 0, 0), null, t));
    assertThrows(
        IllegalArgumentException.class, () -> new Evaluation("y", 1, 0, null, null, null, null));
  }

  @Test
  void embeddingFiguresAreNamedMetricsThatThresholdsCanTest() {
    long[] bins = new long[EmbeddingSimilarity.COSINE_BINS];
    bins[EmbeddingSimilarity.bin(0.95)] = 10;
    EmbeddingComparison c =
        new EmbeddingComparison(10, EmbeddingSimilarity.Cosine.of(bins, 9.5), 10, 10, 0.8, null);
    Map<String, Double> m = ReportMetrics.of(null, null, null, null, null, c);
    assertEquals(0.95, m.get("embedding_cosine_mean"), 1e-12);
    assertEquals(0.8, m.get("embedding_nn_overlap"), 1e-12);
    List<Thresholds.Check> checks =
        Thresholds.check(
            List.of(
                Thresholds.parse("embedding_cosine_p5>=0.9"),
                Thresholds.parse("embedding_nn_overlap>=0.9")),
            m);
    assertEquals(Thresholds.Outcome.PASS, checks.get(0).outcome());
    assertEquals(Thresholds.Outcome.FAIL, checks.get(1).outcome());
  }

  private static float[] f(float... v) {
    return v;
  }
}
