package dev.inferlake.driver.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.PredictionSchema;
import dev.inferlake.executors.QuarantineSchema;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.CommitLog;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The commits of an incremental run: each micro-batch's rows appended to the prediction (and
 * quarantine) table as an idempotent Delta transaction, {@code txnAppId} the version's checkpoint
 * id and {@code txnVersion} the micro-batch id. A micro-batch replayed after a crash (committed,
 * but not yet marked done in the checkpoint) is skipped by Delta itself, so a retry never
 * duplicates rows. Appends of different versions never conflict.
 */
public final class IncrementalWrites {
  private final SparkSession spark;
  private final String table;
  private final String quarantineTable;
  private final List<KeyColumn> keys;
  private final DeltaWrites writes;

  /**
   * @param model the version whose rows are appended
   */
  public IncrementalWrites(
      SparkSession spark,
      String table,
      String quarantineTable,
      LocalDate ds,
      ModelVersion model,
      List<KeyColumn> keys) {
    this.spark = spark;
    this.table = table;
    this.quarantineTable = quarantineTable;
    this.keys = List.copyOf(keys);
    this.writes = new DeltaWrites(spark, quarantineTable, ds, List.of(model), this.keys);
  }

  /**
   * Appends one micro-batch: the rejects first (when quarantined), then the predictions, each once
   * per ({@code appId}, {@code batchId}).
   *
   * @param quarantine the rows to quarantine, or null
   * @param info the commit metadata; gains {@code commit_id}
   * @return whether the predictions were committed now (false: an earlier attempt of this
   *     micro-batch had committed them)
   */
  public boolean append(
      Dataset<Row> predictions,
      Dataset<Row> quarantine,
      String appId,
      long batchId,
      ObjectNode info) {
    String commitId = UUID.randomUUID().toString();
    info.put("commit_id", commitId);
    try {
      if (quarantine != null) {
        write(
            quarantine,
            quarantineTable,
            QuarantineSchema.PARTITION_COLUMNS,
            appId + "/quarantine",
            batchId,
            info,
            null);
      }
      boolean isNew = !DeltaTable.isDeltaTable(spark, table);
      write(
          writes.evolve(table, predictions),
          table,
          PredictionSchema.PARTITION_COLUMNS,
          appId,
          batchId,
          info,
          isNew ? DeltaWrites.statsColumns(keys) : null);
    } catch (Exception e) { // Scala code throws checked SparkExceptions undeclared
      InferlakeException own = InferlakeException.findIn(e);
      if (own != null) {
        throw own;
      }
      throw SinkErrors.writeFailed(table, InferlakeException.rootMessage(e), e);
    }
    return CommitLog.versionOf(spark, table, commitId) >= 0;
  }

  private void write(
      Dataset<Row> rows,
      String target,
      List<String> partitionColumns,
      String appId,
      long batchId,
      ObjectNode info,
      String statsColumns) {
    DataFrameWriter<Row> w =
        rows.write()
            .format("delta")
            .mode(SaveMode.Append)
            .option("txnAppId", appId)
            .option("txnVersion", batchId)
            .option("userMetadata", info.toString());
    if (DeltaTable.isDeltaTable(spark, target)
        && TableSchema.adds(writes.schemaOf(target), rows.schema())) {
      w = w.option("mergeSchema", "true");
    }
    if (statsColumns != null) {
      w = w.option("delta.dataSkippingStatsColumns", statsColumns);
    }
    w.partitionBy(writes.partitioning(target, partitionColumns)).save(target);
  }
}
