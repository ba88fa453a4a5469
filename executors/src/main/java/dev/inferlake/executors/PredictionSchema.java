package dev.inferlake.executors;

import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of a prediction table: the input's key columns, then the fixed columns below, each
 * with a comment that shows in {@code DESCRIBE}, then the optional columns a run adds only when one
 * of its models uses them ({@link #LABEL}, {@link #PREDICTIONS}, {@link #EMBEDDING}, {@link
 * #OUTPUTS}; all nullable). Partitioned by {@link #PARTITION_COLUMNS}.
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

  /**
   * Tasks with class names: the predicted class's name (multilabel: the names of the labels on,
   * comma-separated).
   */
  public static final String LABEL = "label";

  /** Multilabel: 0/1 per label; regressor with several targets: one value per target. */
  public static final String PREDICTIONS = "predictions";

  /** Embedding task: the vector. */
  public static final String EMBEDDING = "embedding";

  /** The outputs a job stores as they are: one struct field per output, named as the model does. */
  public static final String OUTPUTS = "outputs";

  /**
   * Partition columns of a new table, in order. The digest and the run id hold one value per date
   * and version (a run replaces its date's rows of its versions), so as partition columns they add
   * no files, and Parquet no longer encodes, hashes and compares their strings on every row: they
   * are kept once per file, in the Delta log.
   */
  public static final List<String> PARTITION_COLUMNS =
      List.of(DS, MODEL_NAME, MODEL_VERSION, MODEL_DIGEST, RUN_ID);

  private PredictionSchema() {}

  /**
   * The prediction table schema for the given key columns, for models of today's default tasks (one
   * float output, classifier or regressor): no optional column.
   */
  public static StructType of(List<KeyColumn> keys) {
    return fixed(keys, false);
  }

  /**
   * The schema a run of {@code models} writes: the fixed columns, with {@code prediction} nullable
   * when some model's task leaves it null, then each optional column one of the models uses, in the
   * order {@code label, predictions, embedding, outputs}. The {@code outputs} struct holds every
   * stored output of every model, first come first placed.
   *
   * @throws IllegalArgumentException when a stored output has no column type ({@link #outputType})
   *     or two models store outputs of one name with different types
   */
  public static StructType of(List<KeyColumn> keys, List<ScoredModel> models) {
    boolean nullPrediction = false;
    boolean label = false;
    boolean predictions = false;
    boolean embedding = false;
    Map<String, StructField> outputs = new LinkedHashMap<>();
    for (ScoredModel m : models) {
      Task t = m.task();
      nullPrediction |= t.predictionMayBeNull(m.outputWidth());
      label |= !t.classNames().isEmpty();
      predictions |=
          t.kind() == Task.Kind.MULTILABEL
              || (t.kind() == Task.Kind.REGRESSOR && m.outputWidth() > 1);
      embedding |= t.kind() == Task.Kind.EMBEDDING;
      for (TensorSpec s : m.stored()) {
        DataType type = outputType(s);
        if (type == null) {
          throw new IllegalArgumentException(
              "output '"
                  + s.name()
                  + "' of model '"
                  + m.label()
                  + "' ("
                  + s
                  + ") has no column type");
        }
        StructField f = outputs.get(s.name());
        if (f != null && !f.dataType().equals(type)) {
          throw new IllegalArgumentException(
              "output '"
                  + s.name()
                  + "' is "
                  + f.dataType().simpleString()
                  + " in one model and "
                  + type.simpleString()
                  + " in '"
                  + m.label()
                  + "'");
        }
        outputs.put(s.name(), new StructField(s.name(), type, true, Metadata.empty()));
      }
    }
    List<StructField> fields = new ArrayList<>(List.of(fixed(keys, nullPrediction).fields()));
    if (label) {
      fields.add(
          field(
              LABEL,
              DataTypes.StringType,
              true,
              "the predicted class's name; multilabel: the labels on, comma-separated"));
    }
    if (predictions) {
      fields.add(
          field(
              PREDICTIONS,
              DataTypes.createArrayType(DataTypes.DoubleType, false),
              true,
              "multilabel: 0/1 per label; regressors with several targets: one value per target"));
    }
    if (embedding) {
      fields.add(
          field(
              EMBEDDING,
              DataTypes.createArrayType(DataTypes.FloatType, false),
              true,
              "embedding models: the vector"));
    }
    if (!outputs.isEmpty()) {
      fields.add(
          field(
              OUTPUTS,
              new StructType(outputs.values().toArray(new StructField[0])),
              true,
              "the model outputs the job stores, by name"));
    }
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * The Spark type a stored output's value per row has: by element type float32 FLOAT, float64
   * DOUBLE, int64 BIGINT, int32 INT, int8 TINYINT, uint8 SMALLINT, bool BOOLEAN, string STRING; a
   * scalar for shapes {@code [-1]} and {@code [-1, 1]}, an array for {@code [-1, n]}, an array of
   * arrays for {@code [-1, a, b]}, and so on.
   *
   * @return the type, or null for a float16 output, an {@code other} one, one with no batch
   *     dimension or one with a dynamic dimension after the batch
   */
  public static DataType outputType(TensorSpec spec) {
    DataType element =
        switch (spec.type()) {
          case FLOAT -> DataTypes.FloatType;
          case DOUBLE -> DataTypes.DoubleType;
          case INT64 -> DataTypes.LongType;
          case INT32 -> DataTypes.IntegerType;
          case INT8 -> DataTypes.ByteType;
          case UINT8 -> DataTypes.ShortType;
          case BOOL -> DataTypes.BooleanType;
          case STRING -> DataTypes.StringType;
          case FLOAT16, OTHER -> null;
        };
    long[] shape = spec.shape();
    if (element == null || shape.length == 0 || spec.elementsPerRow() < 0) {
      return null;
    }
    if (shape.length == 1 || (shape.length == 2 && shape[1] == 1)) {
      return element;
    }
    DataType t = element;
    for (int d = 1; d < shape.length; d++) {
      t = DataTypes.createArrayType(t, false);
    }
    return t;
  }

  /** Whether a stored output is one value per row ({@code [-1]} or {@code [-1, 1]}). */
  public static boolean scalar(TensorSpec spec) {
    long[] shape = spec.shape();
    return shape.length == 1 || (shape.length == 2 && shape[1] == 1);
  }

  private static StructType fixed(List<KeyColumn> keys, boolean nullPrediction) {
    List<StructField> fields = new ArrayList<>();
    for (KeyColumn k : keys) {
      fields.add(field(k.name(), k.type(), false, "input key column"));
    }
    fields.add(
        field(
            PREDICTION,
            DataTypes.DoubleType,
            nullPrediction,
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
