package dev.inferlake.driver.sink;

import dev.inferlake.executors.PredictionSchema;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;

/** The predicates naming the rows one run owns in the prediction and quarantine tables. */
final class OwnedRows {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private OwnedRows() {}

  /**
   * The rows a run of {@code models} on {@code ds} owns. Partition columns come first, as their own
   * conjuncts, so Delta's conflict detection sees that runs of other dates, models or versions
   * touch other partitions. Names are validated identifiers.
   */
  static String of(LocalDate ds, List<ModelVersion> models) {
    String names =
        models.stream().map(m -> "'" + m.name() + "'").distinct().collect(Collectors.joining(", "));
    String versions =
        models.stream()
            .map(m -> "'" + m.version() + "'")
            .distinct()
            .collect(Collectors.joining(", "));
    String pairs =
        models.stream()
            .map(
                m ->
                    "("
                        + PredictionSchema.MODEL_NAME
                        + " = '"
                        + m.name()
                        + "' AND "
                        + PredictionSchema.MODEL_VERSION
                        + " = '"
                        + m.version()
                        + "')")
            .collect(Collectors.joining(" OR "));
    return PredictionSchema.DS
        + " = DATE'"
        + ds
        + "' AND "
        + PredictionSchema.MODEL_NAME
        + " IN ("
        + names
        + ") AND "
        + PredictionSchema.MODEL_VERSION
        + " IN ("
        + versions
        + ") AND ("
        + pairs
        + ")";
  }

  /** The rows of one run. */
  static String run(String runId) {
    return PredictionSchema.RUN_ID + " = '" + checkRunId(runId) + "'";
  }

  /**
   * A run id fit to stand in a predicate: run ids are UUIDs inferlake makes, or read back from
   * commit metadata, which anyone who can write the table can edit.
   *
   * @throws IllegalArgumentException for anything but letters, digits, '-', '_' and '.'
   */
  static String checkRunId(String runId) {
    if (runId == null || !runId.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("not a run id: '" + runId + "'");
    }
    return runId;
  }

  /**
   * The rows of one chunk of a resumable run: the run's rows stamped with the chunk's start time.
   * Replacing them deletes nothing of earlier chunks, but still reads the run's partitions, so a
   * concurrent run on them conflicts.
   */
  static String chunk(String runId, String timeColumn, long startMicros) {
    Instant t = Instant.EPOCH.plusNanos(startMicros * 1000);
    return run(runId) + " AND " + timeColumn + " = TIMESTAMP'" + TS.format(t) + "'";
  }

  /**
   * Whether two runs' owners (comma-separated {@code name:version} labels, as commit metadata
   * records them) share a model version, and so rows on the same date.
   */
  static boolean overlap(String owner, String other) {
    if (other == null || other.isEmpty()) {
      return false;
    }
    java.util.Set<String> mine = java.util.Set.of(owner.split(","));
    for (String label : other.split(",")) {
      if (mine.contains(label)) {
        return true;
      }
    }
    return false;
  }
}
