package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.Evaluator;
import dev.inferlake.reports.internal.Rows;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation while scoring in a real run: two chunks, three input files, a two-class and a
 * three-class classifier and a regressor, labels null, not integers or not a class of the two-class
 * model, one row quarantined. The runs table's metrics (counted on the executors while scoring)
 * equal those of the join of the committed predictions with the input's labels ({@link Evaluator},
 * run here as the oracle).
 */
class InlineEvaluationIT {
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.DoubleType)
          .add("c", DataTypes.DoubleType)
          .add("d", DataTypes.DoubleType)
          .add("y", DataTypes.DoubleType);
  static final int N = 1_500;

  @TempDir static Path dir;
  static SparkSession spark;
  static String table;
  static Cli run;
  static final List<String> logged = java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      double a = (i % 17) / 17.0;
      double b = (i % 29) / 29.0 - 0.3;
      Double y = i % 13 == 0 ? null : i % 37 == 5 ? 0.5 : (double) ((i * 7) % 3);
      rows.add(RowFactory.create(i, i == 700 ? Double.NaN : a, b, (i % 11) * 0.1, 0.2, y));
    }
    spark
        .createDataFrame(rows, SCHEMA)
        .repartition(3)
        .write()
        .parquet(dir.resolve("input").toString());
    TestModels.linear(4, 2, 61).writeTo(dir, "two.onnx");
    TestModels.linear(4, 3, 62).writeTo(dir, "three.onnx");
    TestModels.linear(4, 1, 63).writeTo(dir, "reg.onnx");
    table = dir.resolve("predictions").toString();
    Path job =
        JobSpecBuilder.create()
            .input(dir.resolve("input"))
            .key("id")
            .features("input", "a", "b", "c", "d")
            .model("two", "1", dir.resolve("two.onnx"))
            .model("three", "1", dir.resolve("three.onnx"))
            .model("reg", "1", dir.resolve("reg.onnx"))
            .output(table)
            .batchSize(50)
            .chunks(2)
            .onInvalid(OnInvalid.QUARANTINE)
            .evaluate("y")
            .writeTo(dir.resolve("job.yaml"));
    org.apache.logging.log4j.core.LoggerContext ctx =
        (org.apache.logging.log4j.core.LoggerContext)
            org.apache.logging.log4j.LogManager.getContext(false);
    org.apache.logging.log4j.core.appender.AbstractAppender capture =
        new org.apache.logging.log4j.core.appender.AbstractAppender(
            "inline-evaluation-capture",
            null,
            null,
            true,
            org.apache.logging.log4j.core.config.Property.EMPTY_ARRAY) {
          @Override
          public void append(org.apache.logging.log4j.core.LogEvent event) {
            logged.add(event.getMessage().getFormattedMessage());
          }
        };
    capture.start();
    org.apache.logging.log4j.core.config.LoggerConfig runLogger =
        ctx.getConfiguration().getLoggerConfig("dev.inferlake.driver.ScoringJob");
    runLogger.addAppender(capture, org.apache.logging.log4j.Level.INFO, null);
    ctx.updateLoggers();
    try {
      run = Cli.run("run", "--job", job.toString(), "--ds", "2026-02-01");
    } finally {
      runLogger.removeAppender("inline-evaluation-capture");
      ctx.updateLoggers();
    }
    assertEquals(0, run.exitCode(), run.err());
  }

  @Test
  void theRunCountedItsAccuracyWhileScoring() {
    List<String> lines = List.copyOf(logged);
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("accuracy against 'y' counted while scoring")),
        lines.toString());
    assertTrue(
        lines.stream().noneMatch(l -> l.contains("joining the committed")), lines.toString());
  }

  @Test
  void itsMetricsAreThoseOfTheJoin() {
    Dataset<Row> predictions = spark.read().format("delta").load(table);
    assertEquals(3 * (N - 1), predictions.count(), "the NaN row is quarantined for every model");
    Dataset<Row> labels = spark.read().parquet(dir.resolve("input").toString()).select("id", "y");
    Map<String, Evaluation> oracle = Evaluator.evaluate(predictions, labels, List.of("id"), "y");
    assertEquals(List.of("reg:1", "three:1", "two:1"), List.copyOf(oracle.keySet()));
    for (Map.Entry<String, Evaluation> e : oracle.entrySet()) {
      String v = e.getKey();
      Row r =
          spark
              .read()
              .format("delta")
              .load(table + "_runs")
              .where("concat(model_name, ':', model_version) = '" + v + "'")
              .head();
      Evaluation want = e.getValue();
      assertEquals("y", r.getAs("label_column"));
      assertEquals(want.labelledRows(), (long) r.getAs("labelled_rows"), v);
      assertEquals(want.unusableLabels(), (long) r.getAs("unusable_labels"), v);
      if (want.regression() != null) {
        assertEquals(want.regression().rmse(), (double) r.getAs("rmse"), 1e-12, v);
        assertEquals(want.regression().mae(), (double) r.getAs("mae"), 1e-12, v);
        assertEquals(want.regression().r2(), (double) r.getAs("r2"), 1e-12, v);
        continue;
      }
      Evaluation.Classification c = want.classification();
      assertEquals(c.accuracy(), (double) r.getAs("accuracy"), 0.0, v);
      assertEquals(c.f1Macro(), (double) r.getAs("f1_macro"), 0.0, v);
      assertEquals(c.rocAuc(), (double) r.getAs("roc_auc"), 0.0, v);
      assertEquals(c.logLoss(), (double) r.getAs("log_loss"), 1e-12, v);
      long[][] got = Rows.matrix(r.getList(r.fieldIndex("confusion")));
      for (int i = 0; i < c.classes(); i++) {
        assertEquals(List.of(box(c.confusion()[i])), List.of(box(got[i])), v + " row " + i);
      }
    }
    assertTrue(oracle.get("two:1").unusableLabels() > 100, "labels 2 and 0.5 are no class");
  }

  static Long[] box(long[] a) {
    Long[] b = new Long[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }
}
