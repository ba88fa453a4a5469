package dev.inferlake.driver.sink;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;

/** Every message of the prediction sink, built in one place. */
final class SinkErrors {
  private SinkErrors() {}

  public static InferlakeException writeFailed(String table, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.RUN, "writing predictions to " + table + " failed: " + why, cause);
  }

  public static InferlakeException commitConflict(
      String table, java.time.LocalDate ds, String why, int attempts, Throwable cause) {
    return new InferlakeException(
        ErrorKind.RUN,
        "another run committed to "
            + table
            + " for ds="
            + ds
            + " while this one was writing ("
            + why
            + (attempts > 1 ? "; " + attempts + " attempts" : "")
            + "); nothing of this run was kept. Run it again, or set output.on_conflict: retry",
        cause);
  }

  public static InferlakeException interleaved(
      String table, java.time.LocalDate ds, String runId, int chunk, String other, long version) {
    return new InferlakeException(
        ErrorKind.RUN,
        "run "
            + other
            + " committed this run's rows of ds="
            + ds
            + " to "
            + table
            + " (version "
            + version
            + ") after chunk "
            + chunk
            + " of run "
            + runId
            + " was committed; the table holds that run's rows and none of chunk "
            + (chunk + 1)
            + ". Rerun this ds to score it again in full");
  }

  public static InferlakeException columnTypeConflict(
      String table, String column, String tableType, String runType) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "column '"
            + column
            + "' of "
            + table
            + " is "
            + tableType
            + ", but this run's models write it as "
            + runType
            + "; nothing was scored. Write this model version to a table of its own, or store"
            + " the output under a name the table does not hold");
  }
}
