package dev.inferlake.executors;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of a quarantine table: one row per (input row, model version) the model could not
 * take, with the reason. Partitioned by {@link #DS} and {@link #MODEL_VERSION}, like predictions.
 */
public final class QuarantineSchema {
  public static final String MODEL_NAME = PredictionSchema.MODEL_NAME;
  public static final String MODEL_VERSION = PredictionSchema.MODEL_VERSION;
  public static final String REASON = "reason";
  public static final String COLUMN = "column";
  public static final String VALUE = "value";
  public static final String RUN_ID = PredictionSchema.RUN_ID;
  public static final String DS = PredictionSchema.DS;
  public static final String QUARANTINED_AT = "quarantined_at";

  /** Partition columns, in order. */
  public static final List<String> PARTITION_COLUMNS = List.of(DS, MODEL_NAME, MODEL_VERSION);

  private QuarantineSchema() {}

  /** The quarantine table schema for the given key columns. */
  public static StructType of(List<KeyColumn> keys) {
    List<StructField> fields = new ArrayList<>();
    for (KeyColumn k : keys) {
      // nullable: a null key is itself a reason to quarantine a row
      fields.add(field(k.name(), k.type(), true, "input key column"));
    }
    fields.add(field(MODEL_NAME, DataTypes.StringType, false, "model that could not take the row"));
    fields.add(field(MODEL_VERSION, DataTypes.StringType, false, "its version"));
    fields.add(
        field(
            REASON,
            DataTypes.StringType,
            false,
            "null_key | null_value | not_finite | wrong_length"));
    fields.add(
        field(COLUMN, DataTypes.StringType, false, "the column at fault ([i]: array element)"));
    fields.add(field(VALUE, DataTypes.StringType, false, "the rejected value, summarized"));
    fields.add(field(RUN_ID, DataTypes.StringType, false, "id of the run that rejected the row"));
    fields.add(field(DS, DataTypes.DateType, false, "run date the row belongs to"));
    fields.add(field(QUARANTINED_AT, DataTypes.TimestampType, false, "when the run started"));
    return new StructType(fields.toArray(new StructField[0]));
  }

  private static StructField field(String name, DataType type, boolean nullable, String comment) {
    return new StructField(name, type, nullable, Metadata.empty()).withComment(comment);
  }
}
