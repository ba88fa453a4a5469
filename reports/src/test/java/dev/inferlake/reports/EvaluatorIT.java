package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.inferlake.reports.testing.TestSpark;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Metrics computed on real Spark against the same metrics computed here, row by row, from the same
 * values: a binary and a three-class classifier and a regressor, with labels that are missing,
 * null, not integers or not a class.
 */
class EvaluatorIT {
  static final StructType PREDICTIONS =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("prediction", DataTypes.DoubleType)
          .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false))
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType);
  static final StructType LABELS =
      new StructType().add("id", DataTypes.LongType).add("y", DataTypes.DoubleType);

  /** One prediction as the test sees it. */
  record P(long id, String version, float[] probs, double prediction) {}

  static final int N = 600;
  static final List<P> preds = new ArrayList<>();
  static final Map<Long, Double> labels = new HashMap<>();
  static Map<String, Evaluation> result;

  @BeforeAll
  static void evaluate() {
    SparkSession spark = TestSpark.session();
    Random r = new Random(11);
    for (long id = 0; id < N; id++) {
      int truth = r.nextInt(3);
      // Labels: mostly the true class; a few null, some ids absent, a few unusable for binary.
      if (id % 50 == 7) {
        labels.put(id, null);
      } else if (id % 40 != 3) {
        double y = id % 97 == 5 ? 0.5 : truth; // 0.5 is no class of anyone's
        labels.put(id, y);
      }
      // Binary: P(class 1) higher when the truth is 1 (the truth 2 counts as 1 here).
      float p1 =
          (float) Math.min(1, Math.max(0, (truth >= 1 ? 0.65 : 0.35) + r.nextGaussian() * 0.2));
      preds.add(new P(id, "bin:1", new float[] {1 - p1, p1}, p1 > 1 - p1 ? 1 : 0));
      float[] m = new float[3];
      float sum = 0;
      for (int c = 0; c < 3; c++) {
        m[c] = (float) Math.exp((c == truth ? 1.2 : 0) + r.nextGaussian() * 0.8);
        sum += m[c];
      }
      int best = 0;
      for (int c = 0; c < 3; c++) {
        m[c] /= sum;
        if (m[c] > m[best]) {
          best = c;
        }
      }
      preds.add(new P(id, "multi:1", m, best));
      preds.add(new P(id, "reg:1", null, truth * 1.5 + r.nextGaussian()));
    }
    List<Row> rows = new ArrayList<>();
    for (P p : preds) {
      String[] nv = p.version().split(":");
      rows.add(
          RowFactory.create(
              p.id(), p.prediction(), p.probs() == null ? null : boxed(p.probs()), nv[0], nv[1]));
    }
    List<Row> lrows = new ArrayList<>();
    labels.forEach((id, y) -> lrows.add(RowFactory.create(id, y)));
    Dataset<Row> pdf = spark.createDataFrame(rows, PREDICTIONS).repartition(3);
    Dataset<Row> ldf = spark.createDataFrame(lrows, LABELS).repartition(2);
    result = Evaluator.evaluate(pdf, ldf, List.of("id"), "y");
  }

  static List<Float> boxed(float[] f) {
    List<Float> l = new ArrayList<>();
    for (float x : f) {
      l.add(x);
    }
    return l;
  }

  /** Labelled rows of a version whose label is a class of a k-class model. */
  static List<P> usable(String version, int k) {
    return preds.stream()
        .filter(p -> p.version().equals(version))
        .filter(p -> labels.get(p.id()) != null)
        .filter(p -> isClass(labels.get(p.id()), k))
        .toList();
  }

  static boolean isClass(double y, int k) {
    return y == Math.rint(y) && y >= 0 && y < k;
  }

  @Test
  void binaryClassifier() {
    checkClassifier("bin:1", 2, 1e-3);
  }

  @Test
  void multiclassClassifier() {
    checkClassifier("multi:1", 3, 3e-3);
  }

  void checkClassifier(String version, int k, double aucTolerance) {
    Evaluation e = result.get(version);
    Evaluation.Classification c = e.classification();
    assertNull(e.regression());
    List<P> rows = usable(version, k);
    long labelled =
        preds.stream()
            .filter(p -> p.version().equals(version) && labels.get(p.id()) != null)
            .count();
    assertEquals(rows.size(), e.labelledRows());
    assertEquals(labelled - rows.size(), e.unusableLabels());
    assertEquals("y", e.labelColumn());
    assertEquals(k, c.classes());

    long[][] confusion = new long[k][k];
    long correct = 0;
    double loss = 0;
    for (P p : rows) {
      int y = (int) (double) labels.get(p.id());
      confusion[y][(int) p.prediction()]++;
      correct += y == (int) p.prediction() ? 1 : 0;
      loss += -Math.log(Math.max(p.probs()[y], 1e-15));
    }
    for (int i = 0; i < k; i++) {
      assertArrayEquals(confusion[i], c.confusion()[i], "confusion row " + i);
    }
    assertEquals((double) correct / rows.size(), c.accuracy(), 1e-12);
    assertEquals(loss / rows.size(), c.logLoss(), 1e-9);

    // Macro precision/recall/F1 from the rows, class by class.
    double prec = 0;
    double rec = 0;
    double f1 = 0;
    for (int cl = 0; cl < k; cl++) {
      final int cc = cl;
      long tp = rows.stream().filter(p -> p.prediction() == cc && labels.get(p.id()) == cc).count();
      long predicted = rows.stream().filter(p -> p.prediction() == cc).count();
      long actual = rows.stream().filter(p -> labels.get(p.id()) == cc).count();
      double pr = predicted == 0 ? 0 : (double) tp / predicted;
      double rc = actual == 0 ? 0 : (double) tp / actual;
      prec += pr;
      rec += rc;
      f1 += pr + rc == 0 ? 0 : 2 * pr * rc / (pr + rc);
    }
    assertEquals(prec / k, c.precisionMacro(), 1e-12);
    assertEquals(rec / k, c.recallMacro(), 1e-12);
    assertEquals(f1 / k, c.f1Macro(), 1e-12);

    // ROC AUC, exactly, over every (positive, negative) pair; one-vs-rest averaged for k > 2.
    double auc = 0;
    int classes = 0;
    for (int cl = (k == 2 ? 1 : 0); cl < k; cl++) {
      final int cc = cl;
      List<Float> pos =
          rows.stream().filter(p -> labels.get(p.id()) == cc).map(p -> p.probs()[cc]).toList();
      List<Float> neg =
          rows.stream().filter(p -> labels.get(p.id()) != cc).map(p -> p.probs()[cc]).toList();
      double won = 0;
      for (float a : pos) {
        for (float b : neg) {
          won += a > b ? 1 : a == b ? 0.5 : 0;
        }
      }
      auc += won / ((double) pos.size() * neg.size());
      classes++;
    }
    assertEquals(auc / classes, c.rocAuc(), aucTolerance);

    // Calibration: two classes, P(class 1) against the share of 1s; more, top probability
    // against being right.
    long[] n = new long[10];
    double[] score = new double[10];
    double[] hit = new double[10];
    for (P p : rows) {
      int y = (int) (double) labels.get(p.id());
      double s = k == 2 ? p.probs()[1] : p.probs()[(int) p.prediction()];
      int b = Math.min(9, (int) Math.floor(s * 10));
      n[b]++;
      score[b] += s;
      hit[b] += k == 2 ? (y == 1 ? 1 : 0) : (y == p.prediction() ? 1 : 0);
    }
    for (int b = 0; b < 10; b++) {
      Evaluation.CalibrationBin bin = c.calibration().get(b);
      assertEquals(n[b], bin.rows(), "calibration bin " + b);
      if (n[b] > 0) {
        assertEquals(score[b] / n[b], bin.meanScore(), 1e-9);
        assertEquals(hit[b] / n[b], bin.observed(), 1e-12);
      }
    }
  }

  @Test
  void regressor() {
    Evaluation e = result.get("reg:1");
    assertNull(e.classification());
    List<P> rows =
        preds.stream()
            .filter(p -> p.version().equals("reg:1") && labels.get(p.id()) != null)
            .toList();
    double se = 0;
    double ae = 0;
    double mean = rows.stream().mapToDouble(p -> labels.get(p.id())).average().orElseThrow();
    double ss = 0;
    for (P p : rows) {
      double y = labels.get(p.id());
      se += (p.prediction() - y) * (p.prediction() - y);
      ae += Math.abs(p.prediction() - y);
      ss += (y - mean) * (y - mean);
    }
    assertEquals(rows.size(), e.labelledRows());
    assertEquals(0, e.unusableLabels());
    assertEquals(Math.sqrt(se / rows.size()), e.regression().rmse(), 1e-9);
    assertEquals(ae / rows.size(), e.regression().mae(), 1e-9);
    assertEquals(1 - se / ss, e.regression().r2(), 1e-9);
  }
}
