package dev.inferlake.driver.job;

import dev.inferlake.executors.PredictionSchema;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * {@code skip_scored: true}: the run scores only the keys that have no prediction row of the same
 * model digest for its date yet, and its commit keeps the rows earlier runs wrote (see {@link
 * dev.inferlake.driver.sink.DeltaSink#keepingEarlierRuns}). A job with it scores one model version,
 * since one pass scores every version of a row: a key scored by one version and not another would
 * otherwise be written twice.
 */
final class SkipScored {
  private SkipScored() {}

  /** Checks the keys that go with {@code skip_scored}. */
  static void validate(JobSpec spec) {
    if (!spec.skipScoredOrDefault()) {
      return;
    }
    if (spec.models() != null && spec.models().size() > 1) {
      throw JobErrors.badValue(
          "skip_scored",
          "true",
          "a job of one model version with it (give each version a job of its own)");
    }
    if (spec.resumable() != null) {
      throw JobErrors.badValue("skip_scored", "true", "no resumable section with it");
    }
  }

  /**
   * {@code rows} less the keys {@code table} has a row for on {@code ds} from a model of {@code
   * digest}; {@code rows} itself when the table does not exist yet.
   */
  static Dataset<Row> unscored(
      SparkSession spark,
      String table,
      LocalDate ds,
      String digest,
      List<String> keys,
      Dataset<Row> rows) {
    if (!DeltaTable.isDeltaTable(spark, table)) {
      return rows;
    }
    List<Column> keyCols = new ArrayList<>();
    for (String k : keys) {
      keyCols.add(functions.col(k));
    }
    Dataset<Row> scored =
        spark
            .read()
            .format("delta")
            .load(table)
            .where(
                functions
                    .col(PredictionSchema.DS)
                    .equalTo(functions.lit(java.sql.Date.valueOf(ds)))
                    .and(functions.col(PredictionSchema.MODEL_DIGEST).equalTo(digest)))
            .select(keyCols.toArray(Column[]::new))
            .distinct();
    return rows.join(
        scored,
        scala.collection.JavaConverters.asScalaBufferConverter(keys).asScala().toSeq(),
        "left_anti");
  }
}
