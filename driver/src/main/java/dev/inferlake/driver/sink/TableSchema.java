package dev.inferlake.driver.sink;

import dev.inferlake.executors.PredictionSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How a run's prediction rows meet the table's schema. A run writes the columns its models use; the
 * table keeps every column any run added. Before a commit the rows are aligned to the table: each
 * column the table has and the run does not is written as null, the {@code outputs} struct holds
 * the union of the table's fields and the run's (a field this run's models lack is null), and the
 * run's new columns or struct fields follow, added to the table by Delta's schema merge. A column
 * (or struct field) the table holds in another type is refused before anything is scored.
 */
final class TableSchema {
  private TableSchema() {}

  /**
   * Checks that every column the run writes, and every field of its {@code outputs} struct, has the
   * table's type where the table has it (nullability aside).
   *
   * @throws dev.inferlake.model.InferlakeException MODEL naming the column, the table's type and
   *     the run's
   */
  static void check(String table, StructType existing, StructType run) {
    List<String> names = Arrays.asList(existing.fieldNames());
    for (StructField f : run.fields()) {
      if (!names.contains(f.name())) {
        continue;
      }
      DataType have = existing.apply(f.name()).dataType();
      if (f.name().equals(PredictionSchema.OUTPUTS)
          && have instanceof StructType h
          && f.dataType() instanceof StructType r) {
        List<String> fields = Arrays.asList(h.fieldNames());
        for (StructField o : r.fields()) {
          if (fields.contains(o.name()) && !same(h.apply(o.name()).dataType(), o.dataType())) {
            throw SinkErrors.columnTypeConflict(
                table,
                PredictionSchema.OUTPUTS + "." + o.name(),
                h.apply(o.name()).dataType().simpleString(),
                o.dataType().simpleString());
          }
        }
      } else if (!same(have, f.dataType())) {
        throw SinkErrors.columnTypeConflict(
            table, f.name(), have.simpleString(), f.dataType().simpleString());
      }
    }
  }

  /** Whether the run's schema adds a column or an {@code outputs} field the table lacks. */
  static boolean adds(StructType existing, StructType run) {
    List<String> names = Arrays.asList(existing.fieldNames());
    for (StructField f : run.fields()) {
      if (!names.contains(f.name())) {
        return true;
      }
      if (f.name().equals(PredictionSchema.OUTPUTS)
          && existing.apply(f.name()).dataType() instanceof StructType h
          && f.dataType() instanceof StructType r) {
        List<String> fields = Arrays.asList(h.fieldNames());
        for (String n : r.fieldNames()) {
          if (!fields.contains(n)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * The run's rows in the table's column order, with nulls for what the run does not write, then
   * the run's new columns; the {@code outputs} struct as the union described above.
   */
  static Dataset<Row> align(Dataset<Row> rows, StructType existing) {
    StructType run = rows.schema();
    List<String> runNames = Arrays.asList(run.fieldNames());
    List<String> tableNames = Arrays.asList(existing.fieldNames());
    List<Column> cols = new ArrayList<>();
    for (StructField f : existing.fields()) {
      if (!runNames.contains(f.name())) {
        cols.add(functions.lit(null).cast(f.dataType()).as(f.name()));
      } else if (f.name().equals(PredictionSchema.OUTPUTS)
          && f.dataType() instanceof StructType h
          && run.apply(f.name()).dataType() instanceof StructType r) {
        cols.add(outputsUnion(h, r).as(f.name()));
      } else {
        cols.add(functions.col(f.name()));
      }
    }
    for (StructField f : run.fields()) {
      if (!tableNames.contains(f.name())) {
        cols.add(functions.col(f.name()));
      }
    }
    return rows.select(cols.toArray(new Column[0]));
  }

  private static Column outputsUnion(StructType table, StructType run) {
    List<String> runFields = Arrays.asList(run.fieldNames());
    List<String> tableFields = Arrays.asList(table.fieldNames());
    List<Column> fields = new ArrayList<>();
    String o = PredictionSchema.OUTPUTS;
    for (StructField f : table.fields()) {
      fields.add(
          runFields.contains(f.name())
              ? functions.col(o).getField(f.name()).as(f.name())
              : functions.lit(null).cast(f.dataType()).as(f.name()));
    }
    for (StructField f : run.fields()) {
      if (!tableFields.contains(f.name())) {
        fields.add(functions.col(o).getField(f.name()).as(f.name()));
      }
    }
    return functions
        .when(functions.col(o).isNull(), functions.lit(null))
        .otherwise(functions.struct(fields.toArray(new Column[0])));
  }

  /** Type equality, nullability aside. */
  static boolean same(DataType a, DataType b) {
    if (a instanceof ArrayType x && b instanceof ArrayType y) {
      return same(x.elementType(), y.elementType());
    }
    if (a instanceof MapType x && b instanceof MapType y) {
      return same(x.keyType(), y.keyType()) && same(x.valueType(), y.valueType());
    }
    if (a instanceof StructType x && b instanceof StructType y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!x.fields()[i].name().equals(y.fields()[i].name())
            || !same(x.fields()[i].dataType(), y.fields()[i].dataType())) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }
}
