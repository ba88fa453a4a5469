package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.Device;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.executors.Task;
import dev.inferlake.executors.testing.FakeRunner;
import dev.inferlake.executors.testing.ScoredModels;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * Each task's columns, and stored outputs of every element type and shape, decoded from what a fake
 * runner writes (its values are sums of the row's features, {@link FakeRunner#expected}); no
 * SparkSession, no engine.
 */
class TaskDecodingTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType, true)
          .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true);
  private static final List<KeyColumn> KEYS = List.of(new KeyColumn("id", 0, DataTypes.StringType));
  private static final int ROWS = 8;

  // the fixed columns' ordinals: id, prediction, probabilities, model_name, ..., scored_at
  private static final int PREDICTION = 1;
  private static final int PROBABILITIES = 2;

  /** Row {@code i}'s five features: {@code i - 4 + j / 4}, so sums run from -17.5 to 17.5. */
  private static double[] features(int i) {
    double[] x = new double[5];
    for (int j = 0; j < 5; j++) {
      x[j] = i - 4 + j * 0.25;
    }
    return x;
  }

  private static List<InternalRow> rows() {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      float[] x = new float[5];
      double[] d = features(i);
      for (int j = 0; j < 5; j++) {
        x[j] = (float) d[j];
      }
      rows.add(
          new GenericInternalRow(
              new Object[] {
                UTF8String.fromString("k" + i), UnsafeArrayData.fromPrimitiveArray(x)
              }));
    }
    return rows;
  }

  /** A model of {@code width} values per row serving {@code task}, storing {@code stored}. */
  private static ScoredModel model(int width, Task task, List<TensorSpec> stored) {
    ScoredModel m = ScoredModels.linear("m", "v1", 5, width, 1, SCHEMA, List.of("features"));
    return new ScoredModel(
        m.manifest(),
        m.inputs(),
        task.kind() == Task.Kind.RAW ? null : m.outputName(),
        task.kind() == Task.Kind.RAW ? 0 : width,
        m.source(),
        m.payloadDigest(),
        null,
        task,
        stored);
  }

  /** Scores the rows with {@code m} on a fake runner with {@code signature} (default: m's). */
  private static List<InternalRow> score(ScoredModel m, ModelSignature signature) {
    ScoringSpec spec =
        new ScoringSpec(
            List.of(m),
            KEYS,
            3,
            new RunnerOptions(1, Device.CPU),
            "run-1",
            20000,
            7L,
            1L << 30,
            OnInvalid.FAIL,
            FaultInjection.NONE);
    FakeRunner runner =
        new FakeRunner(signature != null ? signature : m.manifest().modelSignature());
    ScoringIterator it =
        new ScoringIterator(spec, List.<Runner>of(runner), 3, rows().iterator(), null, () -> {});
    List<InternalRow> out = new ArrayList<>();
    it.forEachRemaining(r -> out.add(r.copy()));
    assertEquals(ROWS, out.size());
    return out;
  }

  private static int column(ScoredModel m, String name) {
    return Arrays.asList(PredictionSchema.of(KEYS, List.of(m)).fieldNames()).indexOf(name);
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  @Test
  void aModelOfTodaysDefaultTaskWritesExactlyTodaysSchema() {
    ScoredModel classifier = ScoredModels.linear("m", "v1", 5, 3, 1, SCHEMA, List.of("features"));
    ScoredModel regressor = ScoredModels.linear("m", "v2", 5, 1, 1, SCHEMA, List.of("features"));
    assertEquals(
        PredictionSchema.of(KEYS), PredictionSchema.of(KEYS, List.of(classifier, regressor)));
    assertFalse(PredictionSchema.of(KEYS).apply("prediction").nullable());
  }

  @Test
  void aClassifierWithClassNamesWritesTheTopClassAsLabel() {
    Task t = new Task(Task.Kind.CLASSIFIER, List.of("cat", "dog", "eel"), 0.5, false, false);
    ScoredModel m = model(3, t, List.of());
    int label = column(m, "label");
    assertEquals(9, label, "label follows the fixed columns");
    for (InternalRow r : score(m, null)) {
      int i = Integer.parseInt(r.getUTF8String(0).toString().substring(1));
      double[] v = FakeRunner.expected(3, features(i));
      int best = 0;
      for (int k = 1; k < 3; k++) {
        best = v[k] > v[best] ? k : best;
      }
      assertEquals(best, r.getDouble(PREDICTION));
      assertEquals(List.of("cat", "dog", "eel").get(best), r.getUTF8String(label).toString());
      assertEquals((float) v[2], r.getArray(PROBABILITIES).getFloat(2));
    }
  }

  @Test
  void aBinaryOnLogitsPredictsBySigmoidAndThresholdAndStoresTwoProbabilities() {
    Task t = new Task(Task.Kind.BINARY, List.of("no", "yes"), 0.7, true, false);
    ScoredModel m = model(1, t, List.of());
    int label = column(m, "label");
    int on = 0;
    for (InternalRow r : score(m, null)) {
      int i = Integer.parseInt(r.getUTF8String(0).toString().substring(1));
      double p = sigmoid(5 * i - 17.5);
      double want = p >= 0.7 ? 1 : 0;
      on += (int) want;
      assertEquals(want, r.getDouble(PREDICTION), "row " + i);
      ArrayData probs = r.getArray(PROBABILITIES);
      assertEquals(2, probs.numElements());
      assertEquals(1 - p, probs.getFloat(0), 1e-6);
      assertEquals(p, probs.getFloat(1), 1e-6);
      assertEquals(want == 1 ? "yes" : "no", r.getUTF8String(label).toString());
    }
    assertEquals(4, on, "rows 4..7 have sums 2.5..17.5, sigmoid >= 0.7 from logit 0.85");
  }

  @Test
  void aMultilabelModelWritesZeroOrOnePerLabelAndCountsTheLabelsOn() {
    Task t = new Task(Task.Kind.MULTILABEL, List.of("red", "big"), 0.5, true, false);
    ScoredModel m = model(2, t, List.of());
    int predictions = column(m, "predictions");
    assertTrue(predictions > 0);
    int label = column(m, "label");
    for (InternalRow r : score(m, null)) {
      int i = Integer.parseInt(r.getUTF8String(0).toString().substring(1));
      double[] v = FakeRunner.expected(2, features(i));
      ArrayData got = r.getArray(predictions);
      int count = 0;
      for (int k = 0; k < 2; k++) {
        double want = sigmoid(v[k]) >= 0.5 ? 1 : 0;
        count += (int) want;
        assertEquals(want, got.getDouble(k), "row " + i + " label " + k);
        assertEquals(sigmoid(v[k]), r.getArray(PROBABILITIES).getFloat(k), 1e-6);
      }
      assertEquals(count, r.getDouble(PREDICTION));
      String names =
          (sigmoid(v[0]) >= 0.5 ? "red" : "")
              + (sigmoid(v[0]) >= 0.5 && sigmoid(v[1]) >= 0.5 ? "," : "")
              + (sigmoid(v[1]) >= 0.5 ? "big" : "");
      assertEquals(names, r.getUTF8String(label).toString(), "row " + i);
    }
  }

  @Test
  void aRegressorOfSeveralTargetsWritesPredictionsAndANullPrediction() {
    ScoredModel m = model(3, Task.of(Task.Kind.REGRESSOR), List.of());
    int predictions = column(m, "predictions");
    assertTrue(PredictionSchema.of(KEYS, List.of(m)).apply("prediction").nullable());
    for (InternalRow r : score(m, null)) {
      int i = Integer.parseInt(r.getUTF8String(0).toString().substring(1));
      double[] v = FakeRunner.expected(3, features(i));
      assertTrue(r.isNullAt(PREDICTION));
      assertTrue(r.isNullAt(PROBABILITIES));
      for (int k = 0; k < 3; k++) {
        assertEquals((float) v[k], r.getArray(predictions).getDouble(k), 1e-6);
      }
    }
  }

  @Test
  void anEmbeddingIsStoredL2NormalizedWhenAsked() {
    ScoredModel m = model(4, new Task(Task.Kind.EMBEDDING, List.of(), 0.5, false, true), List.of());
    int embedding = column(m, "embedding");
    assertEquals(
        DataTypes.createArrayType(DataTypes.FloatType, false),
        PredictionSchema.of(KEYS, List.of(m)).apply("embedding").dataType());
    for (InternalRow r : score(m, null)) {
      int i = Integer.parseInt(r.getUTF8String(0).toString().substring(1));
      double[] v = FakeRunner.expected(4, features(i));
      double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3]);
      assertTrue(r.isNullAt(PREDICTION));
      for (int k = 0; k < 4; k++) {
        assertEquals(v[k] / norm, r.getArray(embedding).getFloat(k), 1e-6, "row " + i);
      }
    }
  }

  @Test
  void aRawModelStoresEveryOutputTypeAndShapeByName() {
    TensorSpec input = new TensorSpec("input", ElementType.FLOAT, new long[] {-1, 5});
    List<TensorSpec> outs =
        List.of(
            new TensorSpec("top", ElementType.INT64, new long[] {-1}),
            new TensorSpec("score", ElementType.DOUBLE, new long[] {-1, 1}),
            new TensorSpec("flags", ElementType.BOOL, new long[] {-1, 2}),
            new TensorSpec("grid", ElementType.FLOAT, new long[] {-1, 2, 2}),
            new TensorSpec("small", ElementType.UINT8, new long[] {-1, 2}),
            new TensorSpec("tiny", ElementType.INT8, new long[] {-1}),
            new TensorSpec("count", ElementType.INT32, new long[] {-1, 3}));
    ScoredModel m = model(1, Task.of(Task.Kind.RAW), outs);
    StructType schema = PredictionSchema.of(KEYS, List.of(m));
    StructType struct = (StructType) schema.apply("outputs").dataType();
    List<DataType> types = Arrays.stream(struct.fields()).map(f -> f.dataType()).toList();
    ArrayType floats = DataTypes.createArrayType(DataTypes.FloatType, false);
    assertEquals(
        List.of(
            DataTypes.LongType,
            DataTypes.DoubleType,
            DataTypes.createArrayType(DataTypes.BooleanType, false),
            DataTypes.createArrayType(floats, false),
            DataTypes.createArrayType(DataTypes.ShortType, false),
            DataTypes.ByteType,
            DataTypes.createArrayType(DataTypes.IntegerType, false)),
        types);
    int outputs = column(m, "outputs");
    for (InternalRow r : score(m, new ModelSignature(List.of(input), outs))) {
      int i = Integer.parseInt(r.getUTF8String(0).toString().substring(1));
      double[] x = features(i);
      double sum = FakeRunner.expected(1, x)[0];
      assertTrue(r.isNullAt(PREDICTION));
      InternalRow o = r.getStruct(outputs, 7);
      assertEquals(Math.round(sum), o.getLong(0));
      assertEquals(sum, o.getDouble(1), 1e-6);
      double[] two = FakeRunner.expected(2, x);
      assertEquals(two[0] != 0, o.getArray(2).getBoolean(0));
      assertEquals(two[1] != 0, o.getArray(2).getBoolean(1));
      double[] four = FakeRunner.expected(4, x);
      ArrayData grid = o.getArray(3);
      assertEquals(2, grid.numElements());
      assertEquals((float) four[1], grid.getArray(0).getFloat(1), 1e-6);
      assertEquals((float) four[2], grid.getArray(1).getFloat(0), 1e-6);
      assertEquals((short) (Math.round(two[0]) & 0xFF), o.getArray(4).getShort(0));
      assertEquals((byte) Math.round(sum), o.getByte(5));
      double[] three = FakeRunner.expected(3, x);
      assertEquals((int) Math.round(three[2]), o.getArray(6).getInt(2));
    }
  }

  @Test
  void theTaskOutputCanBeStoredTooFromTheSameTensor() {
    TensorSpec probs = new TensorSpec("probabilities", ElementType.FLOAT, new long[] {-1, 3});
    ScoredModel m = model(3, Task.byWidth(3), List.of(probs));
    int outputs = column(m, "outputs");
    for (InternalRow r : score(m, null)) {
      assertEquals(
          r.getArray(PROBABILITIES).getFloat(1), r.getStruct(outputs, 1).getArray(0).getFloat(1));
    }
  }

  @Test
  void twoModelsStoringOneNameInTwoTypesAreRefused() {
    ScoredModel a =
        model(
            1,
            Task.of(Task.Kind.RAW),
            List.of(new TensorSpec("z", ElementType.FLOAT, new long[] {-1, 2})));
    ScoredModel b =
        model(
            1,
            Task.of(Task.Kind.RAW),
            List.of(new TensorSpec("z", ElementType.DOUBLE, new long[] {-1, 2})));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PredictionSchema.of(KEYS, List.of(a, b)));
    assertEquals(
        "output 'z' is array<float> in one model and array<double> in 'm:v1'", e.getMessage());
  }
}
