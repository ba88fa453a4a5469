package dev.inferlake.driver.sql;

import dev.inferlake.executors.ScoringMetrics;
import dev.inferlake.executors.VersionBatches;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;

/**
 * The engine calls and model loads of every {@code inferlake_predict} query of one Spark
 * application, counted by the tasks into accumulators ({@link ScoringMetrics}) that live as long as
 * the context: a session's running totals, read with {@link #of}.
 */
public final class SqlScoringMetrics {
  private static final Map<SparkContext, ScoringMetrics> BY_CONTEXT = new WeakHashMap<>();

  private SqlScoringMetrics() {}

  /** The accumulators the SQL function's tasks of {@code sc} add to, registered on first use. */
  public static synchronized ScoringMetrics of(SparkContext sc) {
    return BY_CONTEXT.computeIfAbsent(sc, ScoringMetrics::register);
  }

  /** Engine calls ({@code batches}) and rows scored so far by the SQL function, all versions. */
  public static VersionBatches totals(SparkContext sc) {
    VersionBatches all = new VersionBatches();
    for (VersionBatches v : of(sc).batches().values()) {
      all.mergeFrom(v);
    }
    return all;
  }
}
