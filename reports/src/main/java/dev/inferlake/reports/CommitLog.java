package dev.inferlake.reports;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Reads a Delta table's commit history: its latest version, and commits by their metadata. */
public final class CommitLog {
  private CommitLog() {}

  /** One commit: its version and its {@code userMetadata} (JSON when inferlake wrote it). */
  public record Commit(long version, String metadata) {}

  /** The table's latest version. */
  public static long latestVersion(SparkSession spark, String table) {
    return DeltaTable.forPath(spark, table).history(1).select("version").head().getLong(0);
  }

  /**
   * The commits among the latest {@code limit} that carry metadata, newest first.
   *
   * @param containing only commits whose metadata contains this text; null for all
   */
  public static List<Commit> commits(
      SparkSession spark, String table, int limit, String containing) {
    Column has = functions.col("userMetadata").isNotNull();
    if (containing != null) {
      has = has.and(functions.col("userMetadata").contains(containing));
    }
    return DeltaTable.forPath(spark, table)
        .history(limit)
        .where(has)
        .orderBy(functions.col("version").desc())
        .select("version", "userMetadata")
        .collectAsList()
        .stream()
        .map(r -> new Commit(r.getLong(0), r.getString(1)))
        .toList();
  }

  /** The version of the commit whose metadata carries {@code commitId}; -1 if there is none. */
  public static long versionOf(SparkSession spark, String table, String commitId) {
    List<Commit> found = commits(spark, table, 100, "\"commit_id\":\"" + commitId + "\"");
    return found.isEmpty() ? -1 : found.get(0).version();
  }
}
