package dev.inferlake.executors;

import java.util.Locale;

/**
 * What a run does with an input row a model cannot take (a null feature or key, a NaN or infinite
 * value, an array of the wrong length). Decided per (row, model version): a row may be predicted by
 * one version and rejected by another that reads other columns.
 */
public enum OnInvalid {
  /** The run fails on the first invalid row, naming it; nothing is written. */
  FAIL,
  /** Invalid rows are left out and counted. */
  SKIP,
  /** Invalid rows go to the quarantine table with the reason, and are counted. */
  QUARANTINE;

  /** The spelling in job specs. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a job spec value.
   *
   * @return null when {@code value} is none of the names
   */
  public static OnInvalid parse(String value) {
    for (OnInvalid o : values()) {
      if (o.specName().equals(value)) {
        return o;
      }
    }
    return null;
  }
}
