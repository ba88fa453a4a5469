package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.Device;
import dev.inferlake.executors.FaultInjection;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import dev.inferlake.executors.testing.FakeRunner;
import dev.inferlake.executors.testing.ScoredModels;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** The scoring loop over fake runners: batching, decoding, bad rows. No SparkSession, no engine. */
class ScoringIteratorTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType, true)
          .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.FloatType)
          .add("c", DataTypes.IntegerType)
          .add("d", DataTypes.LongType)
          .add("e", DataTypes.DoubleType)
          .add("f", DataTypes.DoubleType);

  private static final List<String> ARRAY = List.of("features");

  /** Models scored in one pass, each with the fake runner that plays it. */
  private static final class Pass {
    final List<ScoredModel> models = new ArrayList<>();
    final List<FakeRunner> runners = new ArrayList<>();
    final AtomicInteger exhausted = new AtomicInteger();

    Pass add(String version, int width, List<String> columns) {
      ScoredModel m = ScoredModels.linear("m", version, 5, width, 1, SCHEMA, columns);
      models.add(m);
      runners.add(new FakeRunner(m.manifest().modelSignature()));
      return this;
    }

    ScoringIterator score(int batchSize, OnInvalid onInvalid, List<InternalRow> rows) {
      ScoringSpec spec =
          new ScoringSpec(
              models,
              List.of(new KeyColumn("id", 0, DataTypes.StringType)),
              batchSize,
              new RunnerOptions(1, Device.CPU),
              "run-1",
              20000,
              7L,
              1L << 30,
              onInvalid,
              FaultInjection.NONE);
      return new ScoringIterator(
          spec,
          List.<Runner>copyOf(runners),
          batchSize,
          rows.iterator(),
          null,
          exhausted::incrementAndGet);
    }
  }

  /** Row {@code i}: key {@code k<i>}, features {@code i, i+1, ...}, scalars a..f. */
  private static Object[] values(int i) {
    float[] x = new float[5];
    for (int j = 0; j < 5; j++) {
      x[j] = i + j * 0.5f;
    }
    return new Object[] {
      UTF8String.fromString("k" + i),
      UnsafeArrayData.fromPrimitiveArray(x),
      0.5 * i,
      (float) -i,
      i % 3,
      10L - i,
      0.25,
      2.0 - i
    };
  }

  private static List<InternalRow> rows(int n) {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new GenericInternalRow(values(i)));
    }
    return rows;
  }

  /** Row {@code i}'s features as the array-fed model reads them. */
  private static double[] features(int i) {
    double[] x = new double[5];
    for (int j = 0; j < 5; j++) {
      x[j] = i + j * 0.5f;
    }
    return x;
  }

  private static List<InternalRow> collect(Iterator<InternalRow> it) {
    List<InternalRow> out = new ArrayList<>();
    it.forEachRemaining(r -> out.add(r.copy()));
    return out;
  }

  @Test
  void rowsGoInBatchesOfBatchSizeAndEachIsEmittedOnceWithItsPrediction() {
    Pass p = new Pass().add("v1", 3, ARRAY);
    List<InternalRow> out = collect(p.score(8, OnInvalid.FAIL, rows(23)));

    assertEquals(List.of(8, 8, 7), p.runners.get(0).batches(), "the last batch is partial");
    assertEquals(23, out.size());
    for (int i = 0; i < 23; i++) {
      InternalRow row = out.get(i);
      assertEquals("k" + i, row.getUTF8String(0).toString());
      double[] want = FakeRunner.expected(3, features(i));
      float[] probs = row.getArray(2).toFloatArray();
      int best = 0;
      for (int k = 0; k < 3; k++) {
        assertEquals((float) want[k], probs[k], "row " + i + " value " + k);
        best = want[k] > want[best] ? k : best;
      }
      assertEquals(best, row.getDouble(1), "arg max of row " + i);
      assertEquals("m", row.getUTF8String(3).toString());
      assertEquals("v1", row.getUTF8String(4).toString());
      assertEquals("run-1", row.getUTF8String(6).toString());
      assertEquals(20000, row.getInt(7));
      assertEquals(7L, row.getLong(8));
    }
    assertEquals(1, p.exhausted.get(), "told once that the input ran out");
  }

  @Test
  void aBatchSizeThatDividesTheRowsLeavesNoEmptyBatch() {
    Pass p = new Pass().add("v1", 1, ARRAY);
    ScoringIterator it = p.score(4, OnInvalid.FAIL, rows(8));
    List<InternalRow> out = collect(it);
    assertEquals(List.of(4, 4), p.runners.get(0).batches());
    assertEquals(8, out.size());
    assertFalse(it.hasNext());
    assertEquals(1, p.exhausted.get());
    for (int i = 0; i < 8; i++) {
      assertEquals(FakeRunner.expected(1, features(i))[0], out.get(i).getDouble(1), 1e-4);
      assertTrue(out.get(i).isNullAt(2), "a regressor has no probabilities");
    }
  }

  @Test
  void modelsReadingTheSameColumnsShareOneInputTensor() {
    List<String> scalars = List.of("a", "b", "c", "d", "e");
    Pass p =
        new Pass()
            .add("v1", 2, scalars)
            .add("v2", 1, scalars)
            .add("v3", 2, List.of("b", "c", "d", "e", "f"));
    List<InternalRow> out = collect(p.score(4, OnInvalid.FAIL, rows(6)));

    assertSame(
        p.runners.get(0).lastInputs().get("input"),
        p.runners.get(1).lastInputs().get("input"),
        "one encoder and tensor for the same columns");
    assertNotSame(
        p.runners.get(0).lastInputs().get("input"), p.runners.get(2).lastInputs().get("input"));
    for (FakeRunner r : p.runners) {
      assertEquals(List.of(4, 2), r.batches());
    }
    // per batch, each model's rows in turn
    List<String> order = new ArrayList<>();
    for (InternalRow row : out) {
      order.add(row.getUTF8String(4) + ":" + row.getUTF8String(0));
    }
    assertEquals(
        List.of(
            "v1:k0", "v1:k1", "v1:k2", "v1:k3", "v2:k0", "v2:k1", "v2:k2", "v2:k3", "v3:k0",
            "v3:k1", "v3:k2", "v3:k3", "v1:k4", "v1:k5", "v2:k4", "v2:k5", "v3:k4", "v3:k5"),
        order);
    for (InternalRow row : out) {
      int i = Integer.parseInt(row.getUTF8String(0).toString().substring(1));
      Object[] v = values(i);
      double[] left = {(double) v[2], (float) v[3], (int) v[4], (long) v[5], (double) v[6]};
      double[] right = {(float) v[3], (int) v[4], (long) v[5], (double) v[6], (double) v[7]};
      switch (row.getUTF8String(4).toString()) {
        case "v1" ->
            assertEquals(
                (float) FakeRunner.expected(2, left)[1], row.getArray(2).getFloat(1), "v1 " + i);
        case "v2" -> assertEquals(FakeRunner.expected(1, left)[0], row.getDouble(1), 1e-4);
        case "v3" ->
            assertEquals(
                (float) FakeRunner.expected(2, right)[0], row.getArray(2).getFloat(0), "v3 " + i);
        default -> throw new AssertionError(row);
      }
    }
  }

  /** Replaces row {@code i}'s value of field {@code field}. */
  private static List<InternalRow> with(int n, int i, int field, Object value) {
    List<InternalRow> rows = rows(n);
    Object[] v = values(i);
    v[field] = value;
    rows.set(i, new GenericInternalRow(v));
    return rows;
  }

  private static InferlakeException failure(List<InternalRow> rows) {
    Pass p = new Pass().add("v1", 2, ARRAY);
    ScoringIterator it = p.score(8, OnInvalid.FAIL, rows);
    InferlakeException e = assertThrows(InferlakeException.class, it::hasNext);
    assertEquals(ErrorKind.INPUT, e.kind());
    assertEquals(List.of(), p.runners.get(0).batches(), "the batch never reached the runner");
    return e;
  }

  @Test
  void underFailABadRowFailsNamingTheColumnAndTheKey() {
    String input = "input 'input' of model 'm:v1' (float[-1, 5])";
    assertEquals(
        "key column 'id' is null at row id=null; every row needs its key to be stored with its"
            + " predictions",
        failure(with(3, 1, 0, null)).getMessage());
    assertEquals(
        "column 'features' is null at row id=k1 (feeding " + input + ")",
        failure(with(3, 1, 1, null)).getMessage());
    assertEquals(
        "column 'features[2]' holds NaN at row id=k2 (feeding "
            + input
            + "); models take finite values only",
        failure(
                with(
                    3,
                    2,
                    1,
                    UnsafeArrayData.fromPrimitiveArray(new float[] {1, 2, Float.NaN, 4, 5})))
            .getMessage());
    assertEquals(
        "column 'features' holds 4 values at row id=k0, but " + input + " takes 5",
        failure(with(3, 0, 1, UnsafeArrayData.fromPrimitiveArray(new float[4]))).getMessage());
  }

  @Test
  void underSkipABadRowIsLeftOutForTheModelsThatCannotTakeItOnly() {
    Pass p =
        new Pass()
            .add("L", 2, List.of("a", "b", "c", "d", "e"))
            .add("R", 2, List.of("b", "c", "d", "e", "f"));
    List<InternalRow> rows = rows(9);
    Object[][] v = new Object[9][];
    for (int i = 0; i < 9; i++) {
      v[i] = values(i);
    }
    v[1][2] = Double.NaN; // a: L only
    v[2][4] = null; // c: both
    v[4][7] = Double.POSITIVE_INFINITY; // f: R only
    v[5][2] = 1e300; // a: finite double, infinite as a float: L only
    v[6][0] = null; // the key: both
    v[7][1] = null; // features: neither model reads it
    for (int i = 0; i < 9; i++) {
      rows.set(i, new GenericInternalRow(v[i]));
    }
    List<InternalRow> out = collect(p.score(3, OnInvalid.SKIP, rows));

    List<String> predicted = new ArrayList<>();
    for (InternalRow row : out) {
      predicted.add(row.getUTF8String(4) + row.getUTF8String(0).toString().substring(1));
    }
    assertEquals(
        List.of("L0", "R0", "R1", "L3", "L4", "R3", "R5", "L7", "L8", "R7", "R8"), predicted);
    // one engine call per model and batch that has a row it takes
    assertEquals(List.of(3, 3, 3), p.runners.get(0).batches());
    assertEquals(List.of(3, 3, 3), p.runners.get(1).batches());
    for (InternalRow row : out) {
      int i = Integer.parseInt(row.getUTF8String(0).toString().substring(1));
      double[] x =
          row.getUTF8String(4).toString().equals("L")
              ? new double[] {
                (double) v[i][2], (float) v[i][3], (int) v[i][4], (long) v[i][5], 0.25
              }
              : new double[] {
                (float) v[i][3], (int) v[i][4], (long) v[i][5], 0.25, (double) v[i][7]
              };
      assertEquals((float) FakeRunner.expected(2, x)[1], row.getArray(2).getFloat(1), "" + i);
    }
  }

  @Test
  void aBatchNoRowOfWhichFitsAModelIsNotSentToIt() {
    Pass p = new Pass().add("L", 1, List.of("a", "b", "c", "d", "e")).add("A", 1, ARRAY);
    List<InternalRow> rows = rows(4);
    for (int i = 0; i < 2; i++) {
      Object[] v = values(i);
      v[2] = Double.NaN;
      rows.set(i, new GenericInternalRow(v));
    }
    List<InternalRow> out = collect(p.score(2, OnInvalid.SKIP, rows));
    assertEquals(List.of(2), p.runners.get(0).batches(), "L takes nothing of the first batch");
    assertEquals(List.of(2, 2), p.runners.get(1).batches());
    assertEquals(6, out.size());
    assertEquals(
        Arrays.asList("A0", "A1", "L2", "L3", "A2", "A3"),
        out.stream()
            .map(r -> r.getUTF8String(4) + r.getUTF8String(0).toString().substring(1))
            .toList());
  }
}
