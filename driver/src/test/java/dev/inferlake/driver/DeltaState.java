package dev.inferlake.driver;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.SparkSession;

/** A Delta table's latest version and row count, to show a failed run changed nothing. */
record DeltaState(long version, long rows) {
  static DeltaState of(SparkSession spark, String table) {
    long version = DeltaTable.forPath(spark, table).history(1).select("version").head().getLong(0);
    return new DeltaState(version, spark.read().format("delta").load(table).count());
  }
}
