package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Each element type's encoder, on rows built by hand: the values that reach the tensor, and the
 * reason, column and value reported for each one a model's type cannot hold exactly.
 */
class InputEncoderTest {

  private static TensorSpec spec(ElementType type, long... dims) {
    long[] shape = new long[dims.length + 1];
    shape[0] = -1;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    return new TensorSpec("x", type, shape);
  }

  /** An encoder for input {@code x} of this spec, fed from one column {@code c} of this type. */
  private static InputEncoder encoder(TensorSpec spec, DataType column, Long vocab) {
    StructType schema = new StructType().add("c", column);
    return InputEncoder.of(InputBinding.bind(spec, List.of("c"), schema, "m:v1", vocab), "m:v1", 4);
  }

  /** An encoder for input {@code x} fed from scalar columns c0, c1, ... of these types. */
  private static InputEncoder scalars(ElementType type, DataType... columns) {
    StructType schema = new StructType();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      schema = schema.add("c" + i, columns[i]);
      names.add("c" + i);
    }
    TensorSpec spec = spec(type, columns.length);
    return InputEncoder.of(InputBinding.bind(spec, names, schema, "m:v1"), "m:v1", 4);
  }

  private static GenericInternalRow row(Object... values) {
    return new GenericInternalRow(values);
  }

  /** Encodes one row into slot 0 and expects it to fit. */
  private static Tensor encodeOk(InputEncoder e, GenericInternalRow row) {
    assertNull(e.encode(row, 0));
    e.flush(1);
    return e.tensor();
  }

  private static void assertInvalid(
      InputEncoder e, GenericInternalRow row, String reason, String column, String detail) {
    Invalid why = e.encode(row, 0);
    assertEquals(
        reason + " " + column + " " + detail,
        why == null ? "fits" : why.reason().code() + " " + why.column() + " " + why.detail());
  }

  private static long[] longs(Tensor t) {
    LongBuffer b = t.asLongBuffer();
    long[] out = new long[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void int64TakesEveryIntegerColumnAndWholeDoublesExactly() {
    InputEncoder e =
        scalars(
            ElementType.INT64,
            DataTypes.LongType,
            DataTypes.IntegerType,
            DataTypes.ShortType,
            DataTypes.ByteType,
            DataTypes.DoubleType,
            DataTypes.FloatType);
    Tensor t =
        encodeOk(e, row(Long.MAX_VALUE, Integer.MIN_VALUE, (short) -7, (byte) 5, 9.0e15, -3.0f));
    assertEquals(ElementType.INT64, t.type());
    assertArrayEquals(new long[] {1, 6}, t.shape());
    assertArrayEquals(
        new long[] {Long.MAX_VALUE, Integer.MIN_VALUE, -7, 5, 9_000_000_000_000_000L, -3},
        longs(t));

    assertInvalid(
        e,
        row(1L, 2, (short) 3, (byte) 4, 2.5, 1f),
        "not_exact",
        "c4",
        "2.5 (not a whole" + " number; int64 holds integers only)");
    assertInvalid(
        e,
        row(1L, 2, (short) 3, (byte) 4, 1.0, 0.5f),
        "not_exact",
        "c5",
        "0.5 (not a" + " whole number; int64 holds integers only)");
    assertInvalid(e, row(1L, 2, (short) 3, (byte) 4, Double.NaN, 1f), "not_finite", "c4", "NaN");
    assertInvalid(
        e,
        row(1L, 2, (short) 3, (byte) 4, 0x1p63, 1f),
        "out_of_range",
        "c4",
        "9.223372036854776E18 (outside int64's range, -9223372036854775808 to"
            + " 9223372036854775807)");
    assertInvalid(e, row(null, 2, (short) 3, (byte) 4, 1.0, 1f), "null_value", "c0", "null");
  }

  @Test
  void narrowIntegerTypesRefuseWhatTheirRangeCannotHold() {
    InputEncoder i32 = scalars(ElementType.INT32, DataTypes.LongType, DataTypes.IntegerType);
    Tensor t = encodeOk(i32, row((long) Integer.MIN_VALUE, Integer.MAX_VALUE));
    IntBuffer ints = t.asIntBuffer();
    assertEquals(Integer.MIN_VALUE, ints.get(0));
    assertEquals(Integer.MAX_VALUE, ints.get(1));
    assertInvalid(
        i32,
        row(1L << 31, 0),
        "out_of_range",
        "c0",
        "2147483648 (outside int32's range, -2147483648 to 2147483647)");

    InputEncoder i8 = scalars(ElementType.INT8, DataTypes.IntegerType, DataTypes.DoubleType);
    ByteBuffer b = encodeOk(i8, row(-128, 127.0)).asByteBuffer();
    assertEquals(-128, b.get(0));
    assertEquals(127, b.get(1));
    assertInvalid(
        i8, row(128, 0.0), "out_of_range", "c0", "128 (outside int8's range, -128 to 127)");
    assertInvalid(
        i8, row(0, -129.0), "out_of_range", "c1", "-129.0 (outside int8's range, -128 to 127)");

    InputEncoder u8 = scalars(ElementType.UINT8, DataTypes.IntegerType, DataTypes.ShortType);
    ByteBuffer u = encodeOk(u8, row(0, (short) 255)).asByteBuffer();
    assertEquals(0, Byte.toUnsignedInt(u.get(0)));
    assertEquals(255, Byte.toUnsignedInt(u.get(1)));
    assertInvalid(
        u8, row(-1, (short) 0), "out_of_range", "c0", "-1 (outside uint8's range, 0 to 255)");
    assertInvalid(
        u8, row(0, (short) 256), "out_of_range", "c1", "256 (outside uint8's range, 0 to 255)");
  }

  @Test
  void float32TakesIntegersOnlyWhereEveryOneIsExact() {
    InputEncoder e =
        scalars(
            ElementType.FLOAT,
            DataTypes.LongType,
            DataTypes.IntegerType,
            DataTypes.DoubleType,
            DataTypes.FloatType);
    Tensor t = encodeOk(e, row(1L << 24, -(1 << 24), 0.1, 2.5f));
    FloatBuffer f = t.asFloatBuffer();
    assertEquals(16777216f, f.get(0));
    assertEquals(-16777216f, f.get(1));
    assertEquals(0.1f, f.get(2), "a double rounds to the nearest float, as float32 models expect");
    assertEquals(2.5f, f.get(3));

    String beyond = " (beyond ±2^24, float32 does not hold every integer)";
    assertInvalid(e, row((1L << 24) + 1, 0, 0.0, 0f), "not_exact", "c0", "16777217" + beyond);
    // even 2^24 + 2, which float32 happens to hold, is refused: which ids pass must not depend on
    // their parity
    assertInvalid(e, row(0L, (1 << 24) + 2, 0.0, 0f), "not_exact", "c1", "16777218" + beyond);
    assertInvalid(e, row(0L, 0, 1e300, 0f), "not_finite", "c2", "1.0E300 (beyond float range)");
    assertInvalid(e, row(0L, 0, 0.0, Float.NaN), "not_finite", "c3", "NaN");
  }

  @Test
  void float64HoldsEveryIntegerUpTo2To53() {
    InputEncoder e =
        scalars(ElementType.DOUBLE, DataTypes.LongType, DataTypes.FloatType, DataTypes.DoubleType);
    DoubleBuffer d = encodeOk(e, row(1L << 53, 0.1f, 1e300)).asDoubleBuffer();
    assertEquals(9007199254740992.0, d.get(0));
    assertEquals((double) 0.1f, d.get(1), "a float widens exactly");
    assertEquals(1e300, d.get(2));
    assertInvalid(
        e,
        row((1L << 53) + 1, 0f, 0.0),
        "not_exact",
        "c0",
        "9007199254740993 (beyond ±2^53, float64 does not hold every integer)");
    assertInvalid(e, row(0L, 0f, Double.NEGATIVE_INFINITY), "not_finite", "c2", "-Infinity");
  }

  @Test
  void boolTakesBooleansAndIntegerZeroOrOne() {
    InputEncoder e =
        scalars(ElementType.BOOL, DataTypes.BooleanType, DataTypes.IntegerType, DataTypes.LongType);
    ByteBuffer b = encodeOk(e, row(true, 0, 1L)).asByteBuffer();
    assertEquals(List.of((byte) 1, (byte) 0, (byte) 1), List.of(b.get(0), b.get(1), b.get(2)));
    assertInvalid(e, row(false, 2, 0L), "out_of_range", "c1", "2 (a bool input takes 0 or 1)");
    assertInvalid(e, row(null, 0, 0L), "null_value", "c0", "null");
  }

  @Test
  void aDeclaredVocabularyMakesOtherIdsBadRowsNotAFailedBatch() {
    InputEncoder e =
        encoder(
            spec(ElementType.INT64, 2), DataTypes.createArrayType(DataTypes.LongType, true), 1000L);
    // Spark's own array layout (the bulk-copied path) and a generic one (value by value)
    Tensor t = encodeOk(e, row(UnsafeArrayData.fromPrimitiveArray(new long[] {0, 999})));
    assertArrayEquals(new long[] {0, 999}, longs(t));
    String outside = " (outside the vocabulary, 0 to 999)";
    assertInvalid(
        e,
        row(UnsafeArrayData.fromPrimitiveArray(new long[] {5, 1000})),
        "out_of_range",
        "c[1]",
        "1000" + outside);
    assertInvalid(
        e,
        row(new GenericArrayData(new Object[] {-1L, 3L})),
        "out_of_range",
        "c[0]",
        "-1" + outside);
    assertInvalid(
        e, row(new GenericArrayData(new Object[] {3L, null})), "null_value", "c[1]", "null");

    InputEncoder fromDoubles = encoder(spec(ElementType.INT32, 1), DataTypes.DoubleType, 10L);
    assertEquals(9, encodeOk(fromDoubles, row(9.0)).asIntBuffer().get(0));
    assertInvalid(
        fromDoubles, row(10.0), "out_of_range", "c", "10.0 (outside the vocabulary, 0 to 9)");
  }

  @Test
  void nestedArraysFillAMultiDimensionalInputRowMajor() {
    TensorSpec grid = spec(ElementType.FLOAT, 2, 3);
    InputEncoder e =
        encoder(
            grid,
            DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType, false), true),
            null);
    Tensor t =
        encodeOk(
            e,
            row(
                new GenericArrayData(
                    new Object[] {
                      new GenericArrayData(new Object[] {1.0, 2.0, 3.0}),
                      new GenericArrayData(new Object[] {4.0, 5.0, 6.0})
                    })));
    assertArrayEquals(new long[] {1, 2, 3}, t.shape());
    float[] values = new float[6];
    t.asFloatBuffer().get(values);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, values);

    assertInvalid(
        e,
        row(
            new GenericArrayData(
                new Object[] {
                  new GenericArrayData(new Object[] {1.0, 2.0, 3.0}),
                  new GenericArrayData(new Object[] {4.0, 5.0})
                })),
        "wrong_length",
        "c[1]",
        "2 values, 3 expected");
    assertInvalid(
        e,
        row(
            new GenericArrayData(
                new Object[] {new GenericArrayData(new Object[] {1.0, 2.0, 3.0})})),
        "wrong_length",
        "c",
        "1 values, 2 expected");
    assertInvalid(
        e,
        row(
            new GenericArrayData(
                new Object[] {new GenericArrayData(new Object[] {1.0, 2.0, 3.0}), null})),
        "null_value",
        "c[1]",
        "null");
    assertInvalid(
        e,
        row(
            new GenericArrayData(
                new Object[] {
                  new GenericArrayData(new Object[] {1.0, 2.0, 3.0}),
                  new GenericArrayData(new Object[] {4.0, Double.NaN, 6.0})
                })),
        "not_finite",
        "c[1][1]",
        "NaN");

    // the same input also takes one flat array of all 6 values, row-major
    InputEncoder flat =
        encoder(grid, DataTypes.createArrayType(DataTypes.IntegerType, false), null);
    float[] fromFlat = new float[6];
    encodeOk(flat, row(UnsafeArrayData.fromPrimitiveArray(new int[] {6, 5, 4, 3, 2, 1})))
        .asFloatBuffer()
        .get(fromFlat);
    assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, fromFlat);
  }

  @Test
  void aWrongLengthInsideNestedArraysIsNamedAtItsLevel() {
    TensorSpec grid = spec(ElementType.FLOAT, 2, 3);
    assertEquals(
        "column 'c[1]' holds 2 values at row id=4, but input 'x' of model 'm:v1' (float[-1, 2, 3])"
            + " takes 3 at that level (arrays nested as [2, 3])",
        ScoringErrors.invalidRow(
                new Invalid(Invalid.Reason.WRONG_LENGTH, "c[1]", "2 values, 3 expected"),
                "m:v1",
                grid,
                "id=4")
            .getMessage());
    assertEquals(
        "column 'c' holds 1 values at row id=4, but input 'x' of model 'm:v1' (float[-1, 2, 3])"
            + " takes 2 at that level (arrays nested as [2, 3])",
        ScoringErrors.invalidRow(
                new Invalid(Invalid.Reason.WRONG_LENGTH, "c", "1 values, 2 expected"),
                "m:v1",
                grid,
                "id=4")
            .getMessage());
    assertEquals(
        "column 'c' holds 5 values at row id=4, but input 'x' of model 'm:v1' (float[-1, 2, 3])"
            + " takes 6",
        ScoringErrors.invalidRow(
                new Invalid(Invalid.Reason.WRONG_LENGTH, "c", "5 values, 6 expected"),
                "m:v1",
                grid,
                "id=4")
            .getMessage(),
        "a flat array holds the whole row");
  }

  @Test
  void bindingRefusesWhatNoEncoderFillsNamingWhatItFeeds() {
    StructType schema =
        new StructType()
            .add("f", DataTypes.DoubleType)
            .add("s", DataTypes.StringType)
            .add("flag", DataTypes.BooleanType)
            .add(
                "deep",
                DataTypes.createArrayType(
                    DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType))));
    InferlakeException text =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(spec(ElementType.STRING, 1), List.of("s"), schema, "m:v1"));
    assertEquals(ErrorKind.MODEL, text.kind());
    assertEquals(
        "input 'x' of model 'm:v1' (string[-1, 1]) is a string tensor, which inferlake does not"
            + " feed: export the model to take int64 token ids and register its tokenizer.json"
            + " with it (model register --tokenizer), then map the string column as"
            + " features.text; it feeds float, double, int64, int32, int8, uint8 and bool inputs",
        text.getMessage());
    InferlakeException half =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(spec(ElementType.FLOAT16, 1), List.of("f"), schema, "m:v1"));
    assertEquals(
        "input 'x' of model 'm:v1' (float16[-1, 1]) is a float16 tensor, which inferlake does not"
            + " feed (export the model with a float input); it feeds float, double, int64, int32,"
            + " int8, uint8 and bool inputs",
        half.getMessage());

    InferlakeException other =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(spec(ElementType.OTHER, 1), List.of("f"), schema, "m:v1"));
    assertEquals(
        "input 'x' of model 'm:v1' (other[-1, 1]) has an element type inferlake does not feed; it"
            + " feeds float, double, int64, int32, int8, uint8 and bool inputs",
        other.getMessage());
    InferlakeException dynamic =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(spec(ElementType.INT64, -1), List.of("f"), schema, "m:v1"));
    assertEquals(ErrorKind.MODEL, dynamic.kind());
    assertEquals(
        "input 'x' of model 'm:v1' (int64[-1, -1]) has a dynamic dimension after the batch"
            + " dimension; only the batch dimension may be dynamic",
        dynamic.getMessage());

    InferlakeException floatIntoBool =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(spec(ElementType.BOOL, 1), List.of("f"), schema, "m:v1"));
    assertEquals(ErrorKind.INPUT, floatIntoBool.kind());
    assertEquals(
        "column 'f' has type double, which cannot feed input 'x' of model 'm:v1' (bool[-1, 1]): it"
            + " needs boolean or integer (0 or 1) columns, or one array of them",
        floatIntoBool.getMessage());
    InferlakeException boolIntoInt =
        assertThrows(
            InferlakeException.class,
            () -> InputBinding.bind(spec(ElementType.INT64, 1), List.of("flag"), schema, "m:v1"));
    assertEquals(
        "column 'flag' has type boolean, which cannot feed input 'x' of model 'm:v1' (int64[-1,"
            + " 1]): it needs numeric columns or one array of numbers",
        boolIntoInt.getMessage());
    InferlakeException depth =
        assertThrows(
            InferlakeException.class,
            () ->
                InputBinding.bind(spec(ElementType.FLOAT, 2, 3), List.of("deep"), schema, "m:v1"));
    assertEquals(
        "column 'deep' has type array<array<array<float>>>, which cannot feed input 'x' of model"
            + " 'm:v1' (float[-1, 2, 3]): it needs one flat array of 6 values, or arrays nested 2"
            + " deep, one level per dimension after the batch",
        depth.getMessage());
  }
}
