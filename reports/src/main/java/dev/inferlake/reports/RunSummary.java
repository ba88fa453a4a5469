package dev.inferlake.reports;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one run did, counted from what it wrote; rendered for the console at the end of a run.
 *
 * @param runId the run's id
 * @param ds the run date
 * @param table the prediction table
 * @param tableVersion the Delta version the run committed
 * @param wall time from the start of the run to its commit
 * @param versions one entry per model version scored
 * @param modelLoads runners created in the driver JVM's cache during the run (local mode: every
 *     load; on a cluster the executors' loads are counted by the executors)
 */
public record RunSummary(
    String runId,
    LocalDate ds,
    String table,
    long tableVersion,
    Duration wall,
    List<VersionRows> versions,
    long modelLoads) {

  /** Rows written for one model version. */
  public record VersionRows(String name, String version, String digest, long rows) {}

  public RunSummary {
    Objects.requireNonNull(runId, "runId");
    versions = List.copyOf(versions);
  }

  /** Input rows scored: the rows written for each version (every version scores every row). */
  public long inputRows() {
    return versions.stream().mapToLong(VersionRows::rows).max().orElse(0);
  }

  /** Input rows per second of wall time. */
  public double rowsPerSecond() {
    double s = wall.toNanos() / 1e9;
    return s <= 0 ? 0 : inputRows() / s;
  }

  /** A short multi-line summary for the console. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "run %s  ds=%s  %,d rows x %d model version(s) in %.1f s  (%,.0f rows/s)%n",
            runId,
            ds,
            inputRows(),
            versions.size(),
            wall.toMillis() / 1000.0,
            rowsPerSecond()));
    int width =
        versions.stream().mapToInt(v -> (v.name() + ":" + v.version()).length()).max().orElse(5);
    for (VersionRows v : versions) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-" + width + "s  %,12d rows  %s%n",
              v.name() + ":" + v.version(),
              v.rows(),
              v.digest()));
    }
    sb.append(String.format(Locale.ROOT, "  table %s (Delta version %d)%n", table, tableVersion));
    sb.append(String.format(Locale.ROOT, "  model loads in this JVM: %d%n", modelLoads));
    return sb.toString();
  }
}
