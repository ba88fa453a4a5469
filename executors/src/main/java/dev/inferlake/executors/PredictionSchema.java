package dev.inferlake.executors;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of a prediction table: the input's key columns, then the fixed columns below, each
 * with a comment that shows in {@code DESCRIBE}. Partitioned by {@link #DS} and {@link
 * #MODEL_VERSION}.
 */
public final class PredictionSchema {
  public static final String PREDICTION = "prediction";
  public static final String PROBABILITIES = "probabilities";
  public static final String MODEL_NAME = "model_name";
  public static final String MODEL_VERSION = "model_version";
  public static final String MODEL_DIGEST = "model_digest";
  public static final String RUN_ID = "run_id";
  public static final String DS = "ds";
  public static final String SCORED_AT = "scored_at";

  /** Partition columns, in order. */
  public static final List<String> PARTITION_COLUMNS = List.of(DS, MODEL_NAME, MODEL_VERSION);

  private PredictionSchema() {}

  /** The prediction table schema for the given key columns. */
  public static StructType of(List<KeyColumn> keys) {
    List<StructField> fields = new ArrayList<>();
    for (KeyColumn k : keys) {
      fields.add(field(k.name(), k.type(), false, "input key column"));
    }
    fields.add(
        field(
            PREDICTION,
            DataTypes.DoubleType,
            false,
            "classifiers: index of the most probable class; regressors: the predicted value"));
    fields.add(
        field(
            PROBABILITIES,
            DataTypes.createArrayType(DataTypes.FloatType, false),
            true,
            "classifiers: the model's output per class; null for regressors"));
    fields.add(field(MODEL_NAME, DataTypes.StringType, false, "model name"));
    fields.add(field(MODEL_VERSION, DataTypes.StringType, false, "model version"));
    fields.add(
        field(MODEL_DIGEST, DataTypes.StringType, false, "sha256 of the model bytes scored"));
    fields.add(field(RUN_ID, DataTypes.StringType, false, "id of the run that wrote the row"));
    fields.add(field(DS, DataTypes.DateType, false, "run date the row belongs to"));
    fields.add(field(SCORED_AT, DataTypes.TimestampType, false, "when the run started"));
    return new StructType(fields.toArray(new StructField[0]));
  }

  private static StructField field(String name, DataType type, boolean nullable, String comment) {
    return new StructField(name, type, nullable, Metadata.empty()).withComment(comment);
  }
}
