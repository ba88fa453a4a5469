package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.partitioning.TaskCost;
import dev.inferlake.reports.CommitLog;
import dev.inferlake.reports.RunRecord;
import dev.inferlake.reports.RunsTable;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest succeeded run that scored all of a job's model versions, and the task cost it
 * measured: its engine time per row from the runs table's batch figures, and its task time outside
 * the engine per task, the task count read from the plan its commits recorded ({@code
 * plan.partitions} in each commit's metadata).
 *
 * @param runId the run; null when there is none
 * @param ds its run date; null when there is none
 * @param cost what its tasks cost; null when it cannot be told ({@code missing} says why)
 * @param missing why there is no cost; null when there is one
 */
public record PilotRun(String runId, LocalDate ds, TaskCost cost, String missing) {
  private static final Logger LOG = LoggerFactory.getLogger(PilotRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How far back the prediction table's history is searched for the run's commits. */
  static final int COMMITS_SEARCHED = 1000;

  /** No earlier run to measure by, and why. */
  static PilotRun none(String why) {
    return new PilotRun(null, null, null, why);
  }

  /**
   * The latest succeeded run of {@code labels} ({@code name:version}) in {@code runsTable} and its
   * cost. Never fails: a table that cannot be read gives no cost, saying why.
   */
  public static PilotRun latest(SparkSession spark, String runsTable, List<String> labels) {
    try {
      Map<String, List<RunRecord>> byRun = new HashMap<>();
      for (RunRecord r :
          RunsTable.latestByRunAndVersion(
                  RunsTable.read(
                      spark, runsTable, functions.col("status").equalTo(RunRecord.SUCCEEDED)))
              .values()) {
        byRun.computeIfAbsent(r.runId(), k -> new ArrayList<>()).add(r);
      }
      List<RunRecord> best = null;
      for (List<RunRecord> run : byRun.values()) {
        RunRecord first = run.get(0);
        if (run.stream().map(RunRecord::label).toList().containsAll(labels)
            && first.taskMillis() != null
            && first.taskMillis() > 0
            && first.rowsIn() != null
            && first.rowsIn() > 0
            && (best == null || first.finishedAt().isAfter(best.get(0).finishedAt()))) {
          best = run;
        }
      }
      if (best == null) {
        return none("no earlier run of these versions in " + runsTable);
      }
      return of(best, labels, tasks(spark, best.get(0)));
    } catch (RuntimeException e) {
      LOG.warn("runs table {}: no task cost for planning ({})", runsTable, e.toString());
      return none("the runs table " + runsTable + " cannot be read: " + e);
    }
  }

  /**
   * The cost measured by the runs-table rows of one run (one per version it scored) that ran in
   * {@code tasks} tasks (0 when not known).
   */
  static PilotRun of(List<RunRecord> run, List<String> labels, long tasks) {
    RunRecord first = run.get(0);
    String at = "run " + first.runId() + " (ds " + first.ds() + ")";
    if (tasks < 1) {
      return new PilotRun(
          first.runId(),
          first.ds(),
          null,
          at
              + " recorded no partition plan in "
              + first.table()
              + " (partitioning.mode spark, or its commits are older than the latest "
              + COMMITS_SEARCHED
              + ")");
    }
    double engineSeconds = 0;
    double jobEngineSeconds = 0;
    for (RunRecord r : run) {
      double s = r.batches() == null ? 0 : r.batches().engineMillis() / 1000;
      engineSeconds += s;
      if (labels.contains(r.label())) {
        jobEngineSeconds += s;
      }
    }
    if (!(jobEngineSeconds > 0)) {
      return new PilotRun(first.runId(), first.ds(), null, at + " recorded no engine time");
    }
    TaskCost cost =
        TaskCost.measured(
            first.rowsIn(),
            tasks,
            first.taskMillis() / 1000.0,
            engineSeconds,
            jobEngineSeconds / first.rowsIn());
    return new PilotRun(first.runId(), first.ds(), cost, null);
  }

  /** The partitions {@code r}'s commits to its prediction table planned, all chunks; 0: unknown. */
  private static long tasks(SparkSession spark, RunRecord r) {
    if (r.table() == null || !DeltaTable.isDeltaTable(spark, r.table())) {
      return 0;
    }
    long tasks = 0;
    for (CommitLog.Commit c :
        CommitLog.commits(spark, r.table(), COMMITS_SEARCHED, "\"run_id\":\"" + r.runId() + "\"")) {
      JsonNode meta;
      try {
        meta = JSON.readTree(c.metadata());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(
            "reading the metadata of " + r.table() + " version " + c.version(), e);
      }
      if (r.runId().equals(meta.path("run_id").asText())) {
        tasks += meta.path("plan").path("partitions").asLong(0);
      }
    }
    return tasks;
  }
}
