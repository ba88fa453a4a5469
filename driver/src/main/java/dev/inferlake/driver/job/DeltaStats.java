package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.partitioning.InputFile;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Row counts of a Delta table's files from its log ({@code numRecords}), without reading data. */
final class DeltaStats {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaStats.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeltaStats() {}

  /**
   * The files of {@code table} at {@code version} that carry a row count; files without statistics
   * are left out (their footers are read instead). Empty when the snapshot is not that version.
   */
  static List<InputFile> files(SparkSession spark, String table, Long version) {
    List<InputFile> out = new ArrayList<>();
    DeltaLog log = DeltaLog.forTable(spark, table);
    Snapshot snap = log.unsafeVolatileSnapshot();
    if (version != null && snap.version() != version) {
      LOG.info(
          "Delta table {}: cached snapshot is version {}, not {}; counting rows from footers",
          table,
          snap.version(),
          version);
      return out;
    }
    Path root = log.dataPath();
    for (Row r : snap.allFiles().toDF().select("path", "size", "stats").collectAsList()) {
      String stats = r.isNullAt(2) ? null : r.getString(2);
      if (stats == null) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(stats).path("numRecords");
        if (!n.canConvertToLong()) {
          continue;
        }
        URI child = new URI(r.getString(0));
        Path p = child.isAbsolute() ? new Path(child) : new Path(root, new Path(child));
        out.add(InputFile.counted(p.toString(), r.getLong(1), n.asLong()));
      } catch (Exception e) {
        LOG.debug("Delta table {}: no row count for {} ({})", table, r.getString(0), e.toString());
      }
    }
    return out;
  }
}
