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
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns that fill one model input: either one array column per row, or one scalar column per
 * value. Built and checked on the driver before any task runs.
 *
 * @param input the model input: its name, element type and shape (only the batch dimension dynamic)
 * @param columns the columns, in tensor order
 */
public record InputBinding(TensorSpec input, List<ColumnBinding> columns) implements Serializable {

  public InputBinding {
    Objects.requireNonNull(input, "input");
    if (input.elementsPerRow() < 1 || input.elementsPerRow() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("input " + input + " has no fixed width after the batch");
    }
    columns = List.copyOf(columns);
  }

  /** The model input's name. */
  public String modelInput() {
    return input.name();
  }

  /** Values per example the model takes. */
  public int elementsPerRow() {
    return (int) input.elementsPerRow();
  }

  /** The element type of the tensor the columns fill. */
  public ElementType elementType() {
    return input.type();
  }

  /** Whether a single array column holds every value of a row. */
  public boolean isArray() {
    return columns.size() == 1 && columns.get(0).array();
  }

  /**
   * Checks the named columns of {@code schema} against a model input and binds them.
   *
   * @param spec the model input
   * @param columnNames columns mapped to it in the job spec
   * @param schema the schema of the rows the scorer will receive
   * @param model the model, as users name it in messages ({@code 'name:version'})
   * @throws dev.inferlake.model.InferlakeException INPUT for a missing, mistyped or miscounted
   *     column; MODEL for a model input inferlake cannot feed
   */
  public static InputBinding bind(
      TensorSpec spec, List<String> columnNames, StructType schema, String model) {
    if (spec.type() != ElementType.FLOAT) {
      throw ScoringErrors.unsupportedInputType(model, spec);
    }
    long perRow = spec.elementsPerRow();
    if (perRow < 1 || perRow > Integer.MAX_VALUE) {
      throw ScoringErrors.dynamicInputShape(model, spec);
    }
    List<String> names = Arrays.asList(schema.fieldNames());
    List<ColumnBinding> bound = new ArrayList<>();
    for (String column : columnNames) {
      int ordinal = names.indexOf(column);
      if (ordinal < 0) {
        throw ScoringErrors.missingColumn(column, model, spec, names);
      }
      StructField field = schema.fields()[ordinal];
      if (field.dataType() instanceof ArrayType at) {
        NumericType element = NumericType.of(at.elementType());
        if (element == null || columnNames.size() != 1) {
          throw ScoringErrors.wrongColumnType(field, model, spec, columnNames.size() != 1);
        }
        bound.add(new ColumnBinding(column, ordinal, true, element, at.containsNull()));
      } else {
        NumericType type = NumericType.of(field.dataType());
        if (type == null) {
          throw ScoringErrors.wrongColumnType(field, model, spec, false);
        }
        bound.add(new ColumnBinding(column, ordinal, false, type, false));
      }
    }
    InputBinding binding = new InputBinding(spec, bound);
    if (!binding.isArray() && bound.size() != perRow) {
      throw ScoringErrors.wrongColumnCount(model, spec, columnNames);
    }
    return binding;
  }
}
