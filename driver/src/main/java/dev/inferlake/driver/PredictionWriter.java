package dev.inferlake.driver;

import dev.inferlake.executors.PredictionSchema;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes one run's predictions to a Delta table in a single commit that replaces exactly the rows
 * of this run date and these model versions ({@code replaceWhere}), so a rerun leaves the same rows
 * and other dates and versions are untouched. Until that commit nothing is visible.
 */
public final class PredictionWriter {
  private PredictionWriter() {}

  /** The rows a run of {@code models} on {@code ds} owns. Names are validated identifiers. */
  public static String ownedRows(LocalDate ds, List<JobSpec.Model> models) {
    String versions =
        models.stream()
            .map(
                m ->
                    "("
                        + PredictionSchema.MODEL_NAME
                        + " = '"
                        + m.name()
                        + "' AND "
                        + PredictionSchema.MODEL_VERSION
                        + " = '"
                        + m.version()
                        + "')")
            .collect(Collectors.joining(" OR "));
    return PredictionSchema.DS + " = DATE'" + ds + "' AND (" + versions + ")";
  }

  /**
   * Writes the predictions.
   *
   * @param commitInfo JSON stored as the commit's {@code userMetadata} (shown by {@code DESCRIBE
   *     HISTORY})
   */
  public static void write(
      Dataset<Row> predictions,
      String table,
      LocalDate ds,
      List<JobSpec.Model> models,
      String commitInfo) {
    predictions
        .write()
        .format("delta")
        .mode(SaveMode.Overwrite)
        .option("replaceWhere", ownedRows(ds, models))
        .option("userMetadata", commitInfo)
        .partitionBy(PredictionSchema.PARTITION_COLUMNS.toArray(new String[0]))
        .save(table);
  }
}
