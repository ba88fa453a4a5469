package dev.inferlake.executors;

import dev.inferlake.executors.internal.ScoringErrors;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.TensorSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns that fill one model input: one scalar column per value, or one array column per row
 * (flat, row-major, or nested one level per dimension after the batch). Built and checked on the
 * driver before any task runs.
 *
 * @param input the model input: its name, element type and shape (only the batch dimension dynamic)
 * @param columns the columns, in tensor order
 * @param vocabSize for an integer input, the vocabulary size its package declares (ids must lie in
 *     {@code [0, vocabSize)}); null when none is declared
 * @param text for an input fed by tokenizing a string column, how; null for values read as they are
 * @param image for an input fed by decoding a binary column of pictures, how; null otherwise
 */
public record InputBinding(
    TensorSpec input, List<ColumnBinding> columns, Long vocabSize, TextFeed text, ImageFeed image)
    implements Serializable {

  /** How the columns become the input's values. */
  public enum Kind {
    /** Numbers or booleans, one per value of the input (or one array of them). */
    VALUES,
    /**
     * One string column, tokenized per batch; the input is {@code int64[-1, -1]} and each batch is
     * padded to its longest row.
     */
    TEXT,
    /**
     * One binary column of encoded pictures, decoded and preprocessed as the package declares into
     * a float input of fixed shape.
     */
    IMAGE
  }

  public InputBinding {
    Objects.requireNonNull(input, "input");
    if (image != null
        && (text != null
            || input.type() != ElementType.FLOAT
            || input.shape().length != 4
            || columns.size() != 1
            || vocabSize != null)) {
      throw new IllegalArgumentException(
          "an image input is float[-1, c, h, w] or [-1, h, w, c] fed by one binary column, not "
              + input);
    }
    if (text != null) {
      long[] shape = input.shape();
      if (input.type() != dev.inferlake.model.ElementType.INT64
          || shape.length != 2
          || shape[1] >= 0
          || columns.size() != 1
          || vocabSize != null) {
        throw new IllegalArgumentException(
            "a text input is int64[-1, -1] fed by one string column, not " + input);
      }
    } else if (input.elementsPerRow() < 1 || input.elementsPerRow() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("input " + input + " has no fixed width after the batch");
    }
    if (vocabSize != null) {
      boolean ids =
          switch (input.type()) {
            case INT64, INT32, INT8, UINT8 -> true;
            case FLOAT, DOUBLE, BOOL, FLOAT16, STRING, OTHER -> false;
          };
      if (!ids || vocabSize < 1) {
        throw new IllegalArgumentException(
            "a vocabulary of " + vocabSize + " ids cannot apply to input " + input);
      }
    }
    columns = List.copyOf(columns);
  }

  /** A binding of values, or of tokenized text. */
  public InputBinding(
      TensorSpec input, List<ColumnBinding> columns, Long vocabSize, TextFeed text) {
    this(input, columns, vocabSize, text, null);
  }

  /** A binding of values read as they are. */
  public InputBinding(TensorSpec input, List<ColumnBinding> columns, Long vocabSize) {
    this(input, columns, vocabSize, null);
  }

  /** A binding with no vocabulary declared. */
  public InputBinding(TensorSpec input, List<ColumnBinding> columns) {
    this(input, columns, null, null, null);
  }

  /** Whether the columns' values are read as they are, or a string column is tokenized. */
  public Kind kind() {
    return image != null ? Kind.IMAGE : text == null ? Kind.VALUES : Kind.TEXT;
  }

  /** The model input's name. */
  public String modelInput() {
    return input.name();
  }

  /**
   * Values per example the model takes; for a text input, the most it takes (the tokenizer's max
   * length).
   */
  public int elementsPerRow() {
    return switch (kind()) {
      case VALUES, IMAGE -> (int) input.elementsPerRow();
      case TEXT -> text.tokenizer().maxLength();
    };
  }

  /** The element type of the tensor the columns fill. */
  public ElementType elementType() {
    return input.type();
  }

  /** Whether a single array column (flat or nested) holds every value of a row. */
  public boolean isArray() {
    return columns.size() == 1 && columns.get(0).array();
  }

  /**
   * The input's dimensions after the batch dimension, e.g. {@code [4, 8]} for {@code [-1, 4, 8]}.
   */
  public int[] rowShape() {
    long[] shape = input.shape();
    int[] dims = new int[Math.max(0, shape.length - 1)];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = (int) shape[i + 1];
    }
    return dims;
  }

  /**
   * Binds one string column of {@code schema} to a text model's int64 input, which receives the
   * {@code role} output of the model's tokenizer.
   *
   * @throws dev.inferlake.model.InferlakeException INPUT for a missing column, one that is not a
   *     string, or more than one column
   */
  public static InputBinding bindText(
      TensorSpec spec, List<String> columnNames, StructType schema, String model, TextFeed feed) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (columnNames.size() != 1) {
      throw ScoringErrors.textColumnCount(model, spec, columnNames);
    }
    String column = columnNames.get(0);
    int ordinal = names.indexOf(column);
    if (ordinal < 0) {
      throw ScoringErrors.missingColumn(column, model, spec, names);
    }
    StructField field = schema.fields()[ordinal];
    if (!(field.dataType() instanceof org.apache.spark.sql.types.StringType)) {
      throw ScoringErrors.textColumnType(field, model, spec);
    }
    if (spec.type() != dev.inferlake.model.ElementType.INT64 || spec.shape().length != 2) {
      throw ScoringErrors.unsupportedInputType(model, spec);
    }
    return new InputBinding(
        spec, List.of(new ColumnBinding(column, ordinal, 0, null, true)), null, feed);
  }

  /**
   * Binds one binary column of {@code schema} (encoded pictures) to an image model's float input,
   * preprocessed as {@code feed} says.
   *
   * @throws dev.inferlake.model.InferlakeException INPUT for a missing column, one that is not
   *     binary, or more than one column
   */
  public static InputBinding bindImage(
      TensorSpec spec, List<String> columnNames, StructType schema, String model, ImageFeed feed) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (columnNames.size() != 1) {
      throw ScoringErrors.imageColumnCount(model, spec, columnNames);
    }
    String column = columnNames.get(0);
    int ordinal = names.indexOf(column);
    if (ordinal < 0) {
      throw ScoringErrors.missingColumn(column, model, spec, names);
    }
    StructField field = schema.fields()[ordinal];
    if (!(field.dataType() instanceof org.apache.spark.sql.types.BinaryType)) {
      throw ScoringErrors.imageColumnType(field, model, spec);
    }
    return new InputBinding(
        spec, List.of(new ColumnBinding(column, ordinal, 0, null, true)), null, null, feed);
  }

  /** As {@link #bind(TensorSpec, List, StructType, String, Long)}, declaring no vocabulary. */
  public static InputBinding bind(
      TensorSpec spec, List<String> columnNames, StructType schema, String model) {
    return bind(spec, columnNames, schema, model, null);
  }

  /**
   * Checks the named columns of {@code schema} against a model input and binds them. A bool input
   * takes boolean or integer columns; every other supported input takes numeric columns. An array
   * column is the only column of its input, and is either flat (all of a row's values, row-major)
   * or nested one level per dimension after the batch ({@code array<array<float>>} for {@code
   * float[-1, 4, 8]}).
   *
   * @param spec the model input
   * @param columnNames columns mapped to it in the job spec
   * @param schema the schema of the rows the scorer will receive
   * @param model the model, as users name it in messages ({@code 'name:version'})
   * @param vocabSize the vocabulary size the package declares for this input, or null
   * @throws dev.inferlake.model.InferlakeException INPUT for a missing, mistyped or miscounted
   *     column; MODEL for a model input inferlake cannot feed
   */
  public static InputBinding bind(
      TensorSpec spec, List<String> columnNames, StructType schema, String model, Long vocabSize) {
    boolean bool =
        switch (spec.type()) {
          case FLOAT, DOUBLE, INT64, INT32, INT8, UINT8 -> false;
          case BOOL -> true;
          case FLOAT16, STRING, OTHER -> throw ScoringErrors.unsupportedInputType(model, spec);
        };
    long perRow = spec.elementsPerRow();
    if (perRow < 1 || perRow > Integer.MAX_VALUE) {
      throw ScoringErrors.dynamicInputShape(model, spec);
    }
    int rank = spec.shape().length - 1; // dimensions after the batch
    List<String> names = Arrays.asList(schema.fieldNames());
    List<ColumnBinding> bound = new ArrayList<>();
    for (String column : columnNames) {
      int ordinal = names.indexOf(column);
      if (ordinal < 0) {
        throw ScoringErrors.missingColumn(column, model, spec, names);
      }
      StructField field = schema.fields()[ordinal];
      DataType t = field.dataType();
      int depth = 0;
      boolean mayBeNull = false;
      while (t instanceof ArrayType at) {
        depth++;
        mayBeNull |= at.containsNull();
        t = at.elementType();
      }
      NumericType type = NumericType.of(t);
      boolean fits =
          type != null
              && (bool
                  ? type.isInteger() || type == NumericType.BOOLEAN
                  : type != NumericType.BOOLEAN);
      if (!fits) {
        throw ScoringErrors.wrongColumnType(field, model, spec, ScoringErrors.ColumnProblem.TYPE);
      }
      if (depth > 0 && columnNames.size() != 1) {
        throw ScoringErrors.wrongColumnType(
            field, model, spec, ScoringErrors.ColumnProblem.ARRAY_AMONG_OTHERS);
      }
      if (depth > 1 && depth != rank) {
        throw ScoringErrors.wrongColumnType(field, model, spec, ScoringErrors.ColumnProblem.DEPTH);
      }
      bound.add(new ColumnBinding(column, ordinal, depth, type, mayBeNull));
    }
    InputBinding binding = new InputBinding(spec, bound, vocabSize);
    if (!binding.isArray() && bound.size() != perRow) {
      throw ScoringErrors.wrongColumnCount(model, spec, columnNames);
    }
    return binding;
  }
}
