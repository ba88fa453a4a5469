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
 * @param inputRows input rows the run read
 * @param versions one entry per model version scored
 * @param loads what the executors' model caches did during the run
 */
public record RunSummary(
    String runId,
    LocalDate ds,
    String table,
    long tableVersion,
    Duration wall,
    long inputRows,
    List<VersionRows> versions,
    ModelLoads loads) {

  /**
   * Model loading across executors.
   *
   * @param loads models loaded (one per version per executor JVM when the cache holds them)
   * @param hits tasks served by a model already loaded
   * @param loadMillis time spent loading
   * @param loadedBytes raw model bytes loaded
   * @param perExecutor loads by executor id
   * @param shippedBytes package bytes shipped (compressed, maybe encrypted), once per version
   */
  public record ModelLoads(
      long loads,
      long hits,
      long loadMillis,
      long loadedBytes,
      java.util.Map<String, Long> perExecutor,
      long shippedBytes) {
    public ModelLoads {
      perExecutor = java.util.Map.copyOf(perExecutor);
    }
  }

  /**
   * What became of the input rows for one model version: every input row is predicted, quarantined
   * or skipped.
   *
   * @param rows predictions written
   * @param quarantined rows written to the quarantine table
   * @param skipped rows left out ({@code on_invalid: skip})
   */
  public record VersionRows(
      String name, String version, String digest, long rows, long quarantined, long skipped) {
    /** Rows this version did not predict. */
    public long rejected() {
      return quarantined + skipped;
    }
  }

  public RunSummary {
    Objects.requireNonNull(runId, "runId");
    versions = List.copyOf(versions);
  }

  /** Predictions written, all versions. */
  public long predicted() {
    return versions.stream().mapToLong(VersionRows::rows).sum();
  }

  /** Rows quarantined, all versions. */
  public long quarantined() {
    return versions.stream().mapToLong(VersionRows::quarantined).sum();
  }

  /** Rows skipped, all versions. */
  public long skipped() {
    return versions.stream().mapToLong(VersionRows::skipped).sum();
  }

  /** Input rows per second of wall time. */
  public double rowsPerSecond() {
    double s = wall.toNanos() / 1e9;
    return s <= 0 ? 0 : inputRows() / s;
  }

  /** One line of key=value pairs for logs: what log search and alerting read. */
  public String logLine() {
    return String.format(
        Locale.ROOT,
        "run=%s ds=%s status=succeeded table=%s delta_version=%d rows=%d versions=%d"
            + " predicted=%d quarantined=%d skipped=%d wall_s=%.3f rows_per_s=%.0f model_loads=%d"
            + " cache_hits=%d",
        runId,
        ds,
        table,
        tableVersion,
        inputRows(),
        versions.size(),
        predicted(),
        quarantined(),
        skipped(),
        wall.toMillis() / 1000.0,
        rowsPerSecond(),
        loads.loads(),
        loads.hits());
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
    boolean rejects = versions.stream().anyMatch(v -> v.rejected() > 0);
    for (VersionRows v : versions) {
      String rejected =
          !rejects
              ? ""
              : String.format(
                  Locale.ROOT, "  %,d quarantined  %,d skipped", v.quarantined(), v.skipped());
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-" + width + "s  %,12d rows%s  %s%n",
              v.name() + ":" + v.version(),
              v.rows(),
              rejected,
              v.digest()));
    }
    sb.append(String.format(Locale.ROOT, "  table %s (Delta version %d)%n", table, tableVersion));
    sb.append(
        String.format(
            Locale.ROOT,
            "  models: %,d bytes shipped; %d load(s) %s in %.2f s, %d cache hit(s)%n",
            loads.shippedBytes(),
            loads.loads(),
            new java.util.TreeMap<>(loads.perExecutor()),
            loads.loadMillis() / 1000.0,
            loads.hits()));
    return sb.toString();
  }
}
