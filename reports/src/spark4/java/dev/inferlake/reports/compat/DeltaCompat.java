package dev.inferlake.reports.compat;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;

/**
 * The Delta internals the reports module uses whose signatures differ between the Spark lines (this
 * file: the spark4 line, Delta 4.4); the other line has a file of the same name and members under
 * src/spark35/java and src/spark4/java.
 */
public final class DeltaCompat {
  private DeltaCompat() {}

  /** The snapshot of the Delta table at {@code path} as of {@code version}. */
  public static Snapshot snapshotAt(SparkSession spark, String path, long version) {
    return DeltaLog.forTable(spark, path)
        .getSnapshotAt(version, scala.Option.empty(), scala.Option.empty(), false);
  }
}
