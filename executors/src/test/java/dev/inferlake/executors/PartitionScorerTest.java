package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelKeys;
import dev.inferlake.model.ModelPackage;
import dev.inferlake.model.OnnxModelReader;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.model.testing.TestModels.LinearModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scorer on real ONNX Runtime sessions, fed InternalRows as a Spark scan would. */
class PartitionScorerTest {
  private static final int FEATURES = 5;
  private static final StructType ARRAY_SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true);
  private static final StructType SCALAR_SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.FloatType)
          .add("c", DataTypes.IntegerType)
          .add("d", DataTypes.LongType)
          .add("e", DataTypes.DoubleType);

  private static ScoredModel scored(
      LinearModel lm, String version, StructType schema, List<String> cols) {
    return scored(lm, version, schema, cols, null, null);
  }

  /** A model shipped as a package, encrypted with {@code aead} when non-null. */
  private static ScoredModel scored(
      LinearModel lm, String version, StructType schema, List<String> cols, Aead aead, KeyRef key) {
    byte[] bytes = lm.onnxBytes();
    TensorSpec in = OnnxModelReader.signature(bytes, "t").inputs().get(0);
    ModelPackage.Packed p = ModelPackage.pack(bytes, "m", version, aead, null, null, Instant.EPOCH);
    byte[] payload = p.payload();
    return new ScoredModel(
        p.manifest(),
        List.of(InputBinding.bind(in, cols, schema, "m:" + version)),
        lm.outputName(),
        lm.classes(),
        () -> payload,
        ModelDigest.sha256(payload),
        key);
  }

  private static PartitionScorer scorer(ScoringSpec s) {
    return new PartitionScorer(s, null);
  }

  private static ScoringSpec spec(int batchSize, Device device, ScoredModel... models) {
    return spec(batchSize, device, OnInvalid.FAIL, models);
  }

  private static ScoringSpec spec(
      int batchSize, Device device, OnInvalid onInvalid, ScoredModel... models) {
    return new ScoringSpec(
        List.of(models),
        List.of(new KeyColumn("id", 0, DataTypes.StringType)),
        batchSize,
        new RunnerOptions(1, device),
        "run-1",
        20000,
        1_700_000_000_000_000L,
        1L << 30,
        onInvalid,
        FaultInjection.NONE);
  }

  private static float[][] features(int rows, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[rows][FEATURES];
    for (float[] row : x) {
      for (int j = 0; j < FEATURES; j++) {
        row[j] = (float) r.nextGaussian();
      }
    }
    return x;
  }

  private static List<InternalRow> arrayRows(float[][] x) {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      rows.add(
          new GenericInternalRow(
              new Object[] {
                UTF8String.fromString("k" + i), UnsafeArrayData.fromPrimitiveArray(x[i])
              }));
    }
    return rows;
  }

  private static List<InternalRow> collect(Iterator<InternalRow> it) {
    List<InternalRow> out = new ArrayList<>();
    it.forEachRemaining(r -> out.add(r.copy()));
    return out;
  }

  @Test
  void predictionsMatchTheModelComputedIndependently() {
    LinearModel lm = TestModels.linear(FEATURES, 3, 11);
    float[][] x = features(23, 1);
    List<InternalRow> out =
        collect(
            scorer(spec(8, Device.CPU, scored(lm, "v1", ARRAY_SCHEMA, List.of("features"))))
                .score(arrayRows(x).iterator()));

    assertEquals(23, out.size());
    for (int i = 0; i < x.length; i++) {
      InternalRow row = out.get(i);
      assertEquals("k" + i, row.getUTF8String(0).toString());
      double[] expected = lm.expected(x[i]);
      float[] probs = row.getArray(2).toFloatArray();
      int best = 0;
      for (int c = 0; c < 3; c++) {
        assertEquals(expected[c], probs[c], 1e-5, "row " + i + " class " + c);
        best = expected[c] > expected[best] ? c : best;
      }
      assertEquals(best, row.getDouble(1), "row " + i);
      assertEquals("m", row.getUTF8String(3).toString());
      assertEquals("v1", row.getUTF8String(4).toString());
      assertEquals("run-1", row.getUTF8String(6).toString());
      assertEquals(20000, row.getInt(7));
    }
  }

  @Test
  void autoBatchSizeProbesTheRunnerAndPicksTheSmallestNearTheBest() {
    LinearModel lm = TestModels.linear(FEATURES, 3, 31);
    ScoredModel m = scored(lm, "v1", ARRAY_SCHEMA, List.of("features"));
    RunnerOptions options = new RunnerOptions(1, Device.CPU);
    try (dev.inferlake.model.ExecutorModelCache.Lease<Runner> lease =
        ExecutorRunners.shared().acquire(m, options)) {
      int[] sizes = {8, 64, 512, 4096};
      dev.inferlake.executors.internal.BatchSizeProbe.Result r =
          dev.inferlake.executors.internal.BatchSizeProbe.probe(
              List.of(lease.value()), List.of(m), sizes);
      assertEquals(4, r.rowsPerSecond().size(), r.toString());
      double best = 0;
      for (int b : sizes) {
        assertTrue(r.rowsPerSecond().get(b) > 0, r.toString());
        best = Math.max(best, r.rowsPerSecond().get(b));
      }
      assertTrue(r.rowsPerSecond().get(r.chosen()) >= 0.95 * best, r.toString());
      for (int b : sizes) {
        if (b < r.chosen()) {
          assertTrue(r.rowsPerSecond().get(b) < 0.95 * best, r.toString());
        }
      }
      // per-call overhead dominates a 16-feature linear model at 8 rows: larger batches win
      assertTrue(r.chosen() > 8, r.toString());
    }
  }

  @Test
  void batchSizeDoesNotChangePredictions() {
    LinearModel lm = TestModels.linear(FEATURES, 4, 12);
    ScoredModel m = scored(lm, "v1", ARRAY_SCHEMA, List.of("features"));
    float[][] x = features(37, 2); // 37 = 5 batches of 8 with a short last batch of 5
    List<InternalRow> one = collect(scorer(spec(1, Device.CPU, m)).score(arrayRows(x).iterator()));
    List<InternalRow> eight =
        collect(scorer(spec(8, Device.CPU, m)).score(arrayRows(x).iterator()));
    List<InternalRow> big =
        collect(scorer(spec(1000, Device.CPU, m)).score(arrayRows(x).iterator()));
    List<InternalRow> auto =
        collect(
            scorer(spec(ScoringSpec.AUTO_BATCH_SIZE, Device.CPU, m))
                .score(arrayRows(x).iterator()));
    assertEquals(37, one.size());
    assertEquals(37, auto.size());
    for (int i = 0; i < 37; i++) {
      assertEquals("k" + i, auto.get(i).getUTF8String(0).toString());
      assertArrayEquals(
          one.get(i).getArray(2).toFloatArray(), auto.get(i).getArray(2).toFloatArray(), 1e-6f);
      assertEquals(one.get(i).getDouble(1), eight.get(i).getDouble(1));
      assertEquals(one.get(i).getDouble(1), big.get(i).getDouble(1));
      assertArrayEquals(
          one.get(i).getArray(2).toFloatArray(), eight.get(i).getArray(2).toFloatArray(), 1e-6f);
      assertArrayEquals(
          one.get(i).getArray(2).toFloatArray(), big.get(i).getArray(2).toFloatArray(), 1e-6f);
    }
  }

  @Test
  void everyModelIsScoredInOnePassAndScalarColumnsOfMixedTypesWork() {
    LinearModel clf = TestModels.linear(FEATURES, 2, 13);
    LinearModel reg = TestModels.linear(FEATURES, 1, 14);
    List<String> cols = List.of("a", "b", "c", "d", "e");
    ScoringSpec s =
        new ScoringSpec(
            List.of(scored(clf, "v1", SCALAR_SCHEMA, cols), scored(reg, "v2", SCALAR_SCHEMA, cols)),
            List.of(new KeyColumn("id", 0, DataTypes.LongType)),
            4,
            new RunnerOptions(1, Device.CPU),
            "run-2",
            1,
            0L,
            1L << 30,
            OnInvalid.FAIL,
            FaultInjection.NONE);
    List<InternalRow> in = new ArrayList<>();
    List<float[]> asFloats = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      double a = i * 0.5;
      float b = -i;
      int c = i % 3;
      long d = 10 - i;
      double e = 0.25;
      in.add(new GenericInternalRow(new Object[] {(long) i, a, b, c, d, e}));
      asFloats.add(new float[] {(float) a, b, c, d, (float) e});
    }
    List<InternalRow> out = collect(scorer(s).score(in.iterator()));
    assertEquals(12, out.size(), "6 rows x 2 models");
    int regressions = 0;
    for (InternalRow row : out) {
      int i = (int) row.getLong(0);
      String version = row.getUTF8String(4).toString();
      if (version.equals("v2")) {
        regressions++;
        assertTrue(row.isNullAt(2), "a regressor has no probabilities");
        assertEquals(reg.expected(asFloats.get(i))[0], row.getDouble(1), 1e-4);
      } else {
        assertEquals(clf.expected(asFloats.get(i))[1], row.getArray(2).getFloat(1), 1e-5);
      }
    }
    assertEquals(6, regressions);
  }

  @Test
  void runnersAreReleasedWhenThePartitionIsExhausted() {
    LinearModel lm = TestModels.linear(FEATURES, 2, 24);
    ScoredModel m = scored(lm, "v1", ARRAY_SCHEMA, List.of("features"));
    float[][] x = features(3, 8);
    // A budget of 0 closes every idle runner: one released after its partition must go.
    ScoringSpec tight =
        new ScoringSpec(
            List.of(m),
            List.of(new KeyColumn("id", 0, DataTypes.StringType)),
            2,
            new RunnerOptions(1, Device.CPU),
            "run-3",
            1,
            0L,
            0L,
            OnInvalid.FAIL,
            FaultInjection.NONE);
    long evictions = ExecutorRunners.shared().cache().evictions();
    Iterator<InternalRow> it = scorer(tight).score(arrayRows(x).iterator());
    it.next();
    assertEquals(evictions, ExecutorRunners.shared().cache().evictions(), "in use: never closed");
    it.forEachRemaining(r -> {});
    assertEquals(evictions + 1, ExecutorRunners.shared().cache().evictions());
    ExecutorRunners.shared().cache().setBudget(1L << 30);
  }

  /** A job of its own: {@code runId}, scoring {@code m} with this model cache budget. */
  private static ScoringSpec job(String runId, long modelCacheBytes, ScoredModel m) {
    return new ScoringSpec(
        List.of(m),
        List.of(new KeyColumn("id", 0, DataTypes.StringType)),
        2,
        new RunnerOptions(1, Device.CPU),
        runId,
        1,
        0L,
        modelCacheBytes,
        OnInvalid.FAIL,
        FaultInjection.NONE);
  }

  @Test
  void aJobsZeroModelCacheBudgetLeavesAnotherJobsIdleModelLoaded() {
    ScoredModel a =
        scored(TestModels.linear(FEATURES, 2, 41), "v41", ARRAY_SCHEMA, List.of("features"));
    ScoredModel b =
        scored(TestModels.linear(FEATURES, 2, 42), "v42", ARRAY_SCHEMA, List.of("features"));
    float[][] x = features(3, 9);
    ExecutorRunners shared = ExecutorRunners.shared();
    collect(scorer(job("run-a", 1L << 30, a)).score(arrayRows(x).iterator())); // a left idle
    long loads = shared.cache().loads();

    // another job, which asks to keep none of its models: its own goes when it is done
    collect(scorer(job("run-b", 0L, b)).score(arrayRows(x).iterator()));
    assertEquals(loads + 1, shared.cache().loads());

    collect(scorer(job("run-a", 1L << 30, a)).score(arrayRows(x).iterator()));
    assertEquals(loads + 1, shared.cache().loads(), "job a's idle model was still loaded");
    long evictions = shared.cache().evictions();
    collect(scorer(job("run-b", 0L, b)).score(arrayRows(x).iterator()));
    assertEquals(loads + 2, shared.cache().loads(), "job b's model was not kept");
    assertEquals(evictions + 1, shared.cache().evictions(), "only job b's model was closed");
  }

  @Test
  void anEmptyPartitionLoadsNoModel() {
    LinearModel lm = TestModels.linear(FEATURES, 2, 15);
    long before = ExecutorRunners.shared().cache().loads();
    Iterator<InternalRow> out =
        scorer(spec(8, Device.CPU, scored(lm, "v9", ARRAY_SCHEMA, List.of("features"))))
            .score(new ArrayList<InternalRow>().iterator());
    assertFalse(out.hasNext());
    assertEquals(before, ExecutorRunners.shared().cache().loads());
  }

  @Test
  void aWrongArrayLengthNamesTheColumnAndTheRow() {
    LinearModel lm = TestModels.linear(FEATURES, 2, 16);
    List<InternalRow> rows = arrayRows(features(3, 3));
    rows.set(
        2,
        new GenericInternalRow(
            new Object[] {
              UTF8String.fromString("bad-row"), UnsafeArrayData.fromPrimitiveArray(new float[4])
            }));
    Iterator<InternalRow> out =
        scorer(spec(8, Device.CPU, scored(lm, "v1", ARRAY_SCHEMA, List.of("features"))))
            .score(rows.iterator());
    InferlakeException e = assertThrows(InferlakeException.class, out::hasNext);
    assertEquals(ErrorKind.INPUT, e.kind());
    assertTrue(
        e.getMessage().contains("column 'features' holds 4 values at row id=bad-row"),
        e.getMessage());
    assertTrue(e.getMessage().contains("takes 5"), e.getMessage());
  }

  @Test
  void aNullFeatureNamesTheColumn() {
    LinearModel lm = TestModels.linear(FEATURES, 2, 17);
    List<InternalRow> rows = arrayRows(features(2, 4));
    rows.set(1, new GenericInternalRow(new Object[] {UTF8String.fromString("k1"), null}));
    Iterator<InternalRow> out =
        scorer(spec(8, Device.CPU, scored(lm, "v1", ARRAY_SCHEMA, List.of("features"))))
            .score(rows.iterator());
    InferlakeException e = assertThrows(InferlakeException.class, out::hasNext);
    assertEquals(ErrorKind.INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("column 'features' is null at row id=k1"), e.getMessage());
  }

  private static final StructType SIX_SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, true)
          .add("a", DataTypes.DoubleType)
          .add("b", DataTypes.FloatType)
          .add("c", DataTypes.DoubleType)
          .add("d", DataTypes.IntegerType)
          .add("e", DataTypes.DoubleType)
          .add("f", DataTypes.DoubleType);

  /** Two models reading overlapping columns (a-e and b-f) over rows with planted bad values. */
  private static final class Planted {
    final LinearModel left = TestModels.linear(FEATURES, 2, 31);
    final LinearModel right = TestModels.linear(FEATURES, 3, 32);
    final ScoredModel lv = scored(left, "L", SIX_SCHEMA, List.of("a", "b", "c", "d", "e"));
    final ScoredModel rv = scored(right, "R", SIX_SCHEMA, List.of("b", "c", "d", "e", "f"));
    final List<Object[]> rows = new ArrayList<>();

    Planted() {
      for (long i = 0; i < 9; i++) {
        rows.add(new Object[] {i, 0.1 * i, (float) -i, 1.5, (int) i, 0.25, 2.0 - i});
      }
      rows.get(1)[1] = Double.NaN; // a: only L reads it
      rows.get(2)[3] = null; // c: both
      rows.get(4)[6] = Double.POSITIVE_INFINITY; // f: only R
      rows.get(5)[1] = 1e300; // a: finite double, infinite as a float
      rows.get(6)[0] = null; // the key
      rows.get(7)[2] = Float.NaN; // b: both
    }

    List<InternalRow> internal() {
      return rows.stream().map(r -> (InternalRow) new GenericInternalRow(r.clone())).toList();
    }

    /** A row's features as the model reads them, from column {@code from} on. */
    float[] x(int row, int from) {
      float[] x = new float[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        x[j] = ((Number) rows.get(row)[from + j]).floatValue();
      }
      return x;
    }
  }

  @Test
  void rowsAModelCannotTakeAreLeftOutForThatModelOnlyAndListedWithTheirReason() {
    Planted p = new Planted();
    ScoringSpec s = spec(3, Device.CPU, OnInvalid.SKIP, p.lv, p.rv);
    List<InternalRow> out = collect(scorer(s).score(p.internal().iterator()));

    List<String> predicted = new ArrayList<>();
    for (InternalRow row : out) {
      int i = (int) row.getLong(0);
      String version = row.getUTF8String(4).toString();
      predicted.add(version + i);
      double[] want =
          version.equals("L") ? p.left.expected(p.x(i, 1)) : p.right.expected(p.x(i, 2));
      assertEquals(want[1], row.getArray(2).getFloat(1), 1e-5, version + i);
    }
    // batches of 3: per batch, L's accepted rows then R's
    assertEquals(List.of("L0", "R0", "R1", "L3", "L4", "R3", "R5", "L8", "R8"), predicted);

    List<String> rejects = new ArrayList<>();
    for (InternalRow r : collect(scorer(s).rejects(p.internal().iterator()))) {
      rejects.add(
          (r.isNullAt(0) ? "null" : String.valueOf(r.getLong(0)))
              + " "
              + r.getUTF8String(2)
              + " "
              + r.getUTF8String(3)
              + " "
              + r.getUTF8String(4)
              + " "
              + r.getUTF8String(5)
              + " "
              + r.getUTF8String(6)
              + " "
              + r.getInt(7));
    }
    assertEquals(
        List.of(
            "1 L not_finite a NaN run-1 20000",
            "2 L null_value c null run-1 20000",
            "2 R null_value c null run-1 20000",
            "4 R not_finite f Infinity run-1 20000",
            "5 L not_finite a 1.0E300 (beyond float range) run-1 20000",
            "null L null_key id null run-1 20000",
            "null R null_key id null run-1 20000",
            "7 L not_finite b NaN run-1 20000",
            "7 R not_finite b NaN run-1 20000"),
        rejects);
    assertEquals(9 * 2, predicted.size() + rejects.size(), "every (row, model) accounted for");
  }

  @Test
  void underFailTheFirstInvalidRowFailsTheTaskNamingColumnValueAndRow() {
    Planted p = new Planted();
    Iterator<InternalRow> out =
        scorer(spec(8, Device.CPU, OnInvalid.FAIL, p.lv, p.rv)).score(p.internal().iterator());
    InferlakeException e = assertThrows(InferlakeException.class, out::hasNext);
    assertEquals(ErrorKind.INPUT, e.kind());
    assertEquals(
        "column 'a' holds NaN at row id=1 (feeding input 'input' of model 'm:L' (float[-1,"
            + " 5])); models take finite values only",
        e.getMessage());
  }

  @Test
  void bytesThatDoNotMatchTheDigestNeverReachTheEngine() {
    LinearModel lm = TestModels.linear(FEATURES, 2, 18);
    ScoredModel good = scored(lm, "v1", ARRAY_SCHEMA, List.of("features"));
    byte[] other = TestModels.linear(FEATURES, 2, 19).onnxBytes();
    byte[] otherPayload =
        ModelPackage.pack(other, "m", "v1", null, null, null, Instant.EPOCH).payload();
    ScoredModel tampered =
        new ScoredModel(
            good.manifest(),
            good.inputs(),
            good.outputName(),
            2,
            () -> otherPayload,
            ModelDigest.sha256(otherPayload),
            null);
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                scorer(spec(8, Device.CPU, tampered)).score(arrayRows(features(1, 5)).iterator()));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(
        e.getMessage().contains("expected " + good.digest() + ", got " + ModelDigest.sha256(other)),
        e.getMessage());
  }

  @Test
  void encryptedPackagesAreDecryptedOnTheExecutorWithTheReferencedKey(@TempDir Path dir)
      throws Exception {
    String keyset = ModelKeys.newEncryptionKeyset();
    Path keyFile = Files.writeString(dir.resolve("key.json"), keyset);
    Aead aead = ModelKeys.aead(ModelKeys.parse(keyset, "t"), "t");
    LinearModel lm = TestModels.linear(FEATURES, 2, 22);
    float[][] x = features(2, 7);
    ScoredModel m =
        scored(
            lm,
            "v1",
            ARRAY_SCHEMA,
            List.of("features"),
            aead,
            new KeyRef(null, keyFile.toString()));
    assertEquals("aes256-gcm", m.manifest().encryption());
    List<InternalRow> out = collect(scorer(spec(8, Device.CPU, m)).score(arrayRows(x).iterator()));
    assertEquals(lm.expected(x[1])[1], out.get(1).getArray(2).getFloat(1), 1e-5);

    Path wrongKey = Files.writeString(dir.resolve("wrong.json"), ModelKeys.newEncryptionKeyset());
    ScoredModel wrong =
        scored(
            TestModels.linear(FEATURES, 2, 23),
            "v1",
            ARRAY_SCHEMA,
            List.of("features"),
            aead,
            new KeyRef(null, wrongKey.toString()));
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> scorer(spec(8, Device.CPU, wrong)).score(arrayRows(x).iterator()));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().contains("cannot be decrypted: wrong key"), e.getMessage());
  }

  @Test
  void gpuFallsBackToCpuWithoutAGpuButGpuRequiredFails() {
    LinearModel lm = TestModels.linear(FEATURES, 2, 20);
    ScoredModel m = scored(lm, "v1", ARRAY_SCHEMA, List.of("features"));
    float[][] x = features(3, 6);
    List<InternalRow> out = collect(scorer(spec(8, Device.GPU, m)).score(arrayRows(x).iterator()));
    assertEquals(lm.expected(x[0])[1], out.get(0).getArray(2).getFloat(1), 1e-5);

    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> scorer(spec(8, Device.GPU_REQUIRED, m)).score(arrayRows(x).iterator()));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(e.getMessage().contains("requires a GPU (device: gpu-required)"), e.getMessage());
  }

  @Test
  void bindingRejectsWrongColumnsBeforeAnyTask() {
    TensorSpec in =
        OnnxModelReader.signature(TestModels.linear(FEATURES, 2, 21).onnxBytes(), "t")
            .inputs()
            .get(0);
    StructType schema = SCALAR_SCHEMA.add("name", DataTypes.StringType);

    InferlakeException missing =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(in, List.of("a", "b", "c", "d", "zz"), schema, "m:v1"));
    assertEquals(ErrorKind.INPUT, missing.kind());
    assertTrue(
        missing.getMessage().startsWith("column 'zz' for input 'input' of model 'm:v1'"),
        missing.getMessage());

    InferlakeException type =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(in, List.of("a", "b", "c", "d", "name"), schema, "m:v1"));
    assertTrue(type.getMessage().startsWith("column 'name' has type string"), type.getMessage());

    InferlakeException count =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(in, List.of("a", "b"), schema, "m:v1"));
    assertTrue(
        count.getMessage().contains("takes 5 values per row, but 2 columns"), count.getMessage());
    assertNull(NumericType.of(DataTypes.StringType));
  }
}
