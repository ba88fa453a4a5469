package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.testing.ScoredModels;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.testing.TypedModels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/**
 * Every element type through the scorer and a real ONNX Runtime session: a model per type that
 * casts its input to float, so the stored probabilities show exactly what reached the model; and an
 * embedding lookup whose out-of-vocabulary ids are bad rows, not failed batches.
 */
class TypedInputsTest {

  private static ScoringSpec spec(OnInvalid onInvalid, ScoredModel... models) {
    return new ScoringSpec(
        List.of(models),
        List.of(new KeyColumn("id", 0, DataTypes.StringType)),
        2,
        new RunnerOptions(1, Device.CPU),
        "run-1",
        20000,
        1_700_000_000_000_000L,
        1L << 30,
        onInvalid,
        FaultInjection.NONE);
  }

  private static StructType schema(DataType column) {
    return new StructType().add("id", DataTypes.StringType, false).add("v", column);
  }

  private static List<InternalRow> rows(Object... values) {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      rows.add(new GenericInternalRow(new Object[] {UTF8String.fromString("k" + i), values[i]}));
    }
    return rows;
  }

  private static List<InternalRow> score(ScoringSpec spec, List<InternalRow> rows) {
    Iterator<InternalRow> it = new PartitionScorer(spec, null).score(rows.iterator());
    List<InternalRow> out = new ArrayList<>();
    it.forEachRemaining(r -> out.add(r.copy()));
    return out;
  }

  /** Scores rows of one column through the cast model of {@code type} and returns what it saw. */
  private static List<float[]> seenBy(ElementType type, DataType column, Object... values) {
    ScoredModel m =
        ScoredModels.packed(
            TypedModels.castToFloat(type, 3),
            "cast",
            type.lowerName(),
            "y",
            schema(column),
            List.of(List.of("v")));
    assertEquals(type, m.inputs().get(0).elementType());
    List<float[]> seen = new ArrayList<>();
    for (InternalRow r : score(spec(OnInvalid.FAIL, m), rows(values))) {
      seen.add(r.getArray(2).toFloatArray());
    }
    return seen;
  }

  private static DataType arrayOf(DataType t) {
    return DataTypes.createArrayType(t, false);
  }

  @Test
  void everyElementTypeReachesOnnxRuntimeExactly() {
    List<float[]> f =
        seenBy(
            ElementType.FLOAT,
            arrayOf(DataTypes.FloatType),
            UnsafeArrayData.fromPrimitiveArray(new float[] {1.5f, -2f, 3e30f}),
            UnsafeArrayData.fromPrimitiveArray(new float[] {0f, 1e-30f, 7f}),
            UnsafeArrayData.fromPrimitiveArray(new float[] {9f, 8f, 7f}));
    assertArrayEquals(new float[] {1.5f, -2f, 3e30f}, f.get(0));
    assertArrayEquals(new float[] {0f, 1e-30f, 7f}, f.get(1));
    assertArrayEquals(new float[] {9f, 8f, 7f}, f.get(2), "the last, partial batch");

    List<float[]> d =
        seenBy(
            ElementType.DOUBLE,
            arrayOf(DataTypes.DoubleType),
            UnsafeArrayData.fromPrimitiveArray(new double[] {0.5, -1e10, 7}));
    assertArrayEquals(new float[] {0.5f, -1e10f, 7f}, d.get(0));

    List<float[]> i64 =
        seenBy(
            ElementType.INT64,
            arrayOf(DataTypes.LongType),
            UnsafeArrayData.fromPrimitiveArray(new long[] {Long.MIN_VALUE, -5, 1L << 40}));
    assertArrayEquals(new float[] {-0x1p63f, -5f, 0x1p40f}, i64.get(0));

    List<float[]> i32 =
        seenBy(
            ElementType.INT32,
            arrayOf(DataTypes.LongType), // a bigint column, in int32's range
            UnsafeArrayData.fromPrimitiveArray(new long[] {Integer.MIN_VALUE, 7, -1}));
    assertArrayEquals(new float[] {-0x1p31f, 7f, -1f}, i32.get(0));

    List<float[]> i8 =
        seenBy(
            ElementType.INT8,
            arrayOf(DataTypes.ByteType),
            UnsafeArrayData.fromPrimitiveArray(new byte[] {-128, 127, 0}));
    assertArrayEquals(new float[] {-128f, 127f, 0f}, i8.get(0));

    List<float[]> u8 =
        seenBy(
            ElementType.UINT8,
            arrayOf(DataTypes.IntegerType),
            UnsafeArrayData.fromPrimitiveArray(new int[] {0, 255, 128}));
    assertArrayEquals(new float[] {0f, 255f, 128f}, u8.get(0), "uint8 is unsigned in the model");

    List<float[]> bool =
        seenBy(
            ElementType.BOOL,
            arrayOf(DataTypes.BooleanType),
            UnsafeArrayData.fromPrimitiveArray(new boolean[] {true, false, true}));
    assertArrayEquals(new float[] {1f, 0f, 1f}, bool.get(0));
  }

  @Test
  void nestedArraysFillATwoDimensionalInputRowMajor() {
    ScoredModel m =
        ScoredModels.packed(
            TypedModels.castToFloat(ElementType.INT32, 2, 2),
            "grid",
            "v1",
            "y",
            schema(arrayOf(arrayOf(DataTypes.IntegerType))),
            List.of(List.of("v")));
    List<InternalRow> out =
        score(
            spec(OnInvalid.FAIL, m),
            rows(
                new GenericArrayData(
                    new Object[] {
                      UnsafeArrayData.fromPrimitiveArray(new int[] {1, 2}),
                      UnsafeArrayData.fromPrimitiveArray(new int[] {3, 4})
                    })));
    assertArrayEquals(new float[] {1, 2, 3, 4}, out.get(0).getArray(2).toFloatArray());
  }

  /** The embedding classifier, bound with the vocabulary its package declares (or none). */
  private static ScoredModel embedding(TypedModels.EmbeddingModel em, Long vocab) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType, false)
            .add("item", DataTypes.LongType)
            .add("x", arrayOf(DataTypes.FloatType));
    ScoredModel m =
        ScoredModels.packed(
            em.onnxBytes(),
            "rec",
            "v1",
            "probabilities",
            schema,
            List.of(List.of("item"), List.of("x")));
    List<InputBinding> bound = new ArrayList<>(m.inputs());
    bound.set(0, new InputBinding(bound.get(0).input(), bound.get(0).columns(), vocab));
    return new ScoredModel(
        m.manifest(), bound, m.outputName(), m.outputWidth(), m.source(), m.payloadDigest(), null);
  }

  private static List<InternalRow> items(long... ids) {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      rows.add(
          new GenericInternalRow(
              new Object[] {
                UTF8String.fromString("k" + i),
                ids[i],
                UnsafeArrayData.fromPrimitiveArray(new float[] {0.5f, -0.5f})
              }));
    }
    return rows;
  }

  @Test
  void anIdOutsideTheDeclaredVocabularyIsABadRowAndTheBatchStillScores() {
    TypedModels.EmbeddingModel em = TypedModels.embedding(10, 2, 3);
    List<InternalRow> out = score(spec(OnInvalid.SKIP, embedding(em, 10L)), items(3, 10, 9, -1));
    assertEquals(
        List.of("k0", "k2"),
        out.stream().map(r -> r.getUTF8String(0).toString()).toList(),
        "ids 10 and -1 are left out; 3 and 9, in the same batches, are scored");
    float[] x = {0.5f, -0.5f};
    assertArrayEquals(toFloats(em.expected(3, x)), out.get(0).getArray(2).toFloatArray(), 1e-6f);
    assertArrayEquals(toFloats(em.expected(9, x)), out.get(1).getArray(2).toFloatArray(), 1e-6f);

    InferlakeException fail =
        assertThrows(
            InferlakeException.class,
            () -> score(spec(OnInvalid.FAIL, embedding(em, 10L)), items(3, 10)));
    assertEquals(ErrorKind.INPUT, fail.kind());
    assertEquals(
        "column 'item' holds 10 (outside the vocabulary, 0 to 9) at row id=k1 (feeding input 'ids'"
            + " of model 'rec:v1' (int64[-1, 1])); the input takes values within its type's range"
            + " and declared vocabulary only",
        fail.getMessage());

    // Without a declared vocabulary the lookup itself fails, and with it the whole batch.
    InferlakeException batch =
        assertThrows(
            InferlakeException.class,
            () -> score(spec(OnInvalid.SKIP, embedding(em, null)), items(3, 10)));
    assertEquals(ErrorKind.MODEL, batch.kind());
    assertTrue(batch.getMessage().contains("failed to run a batch of 2 rows"), batch.getMessage());
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
