package dev.inferlake.driver.sink;

import java.io.Serializable;

/**
 * A model version whose rows a run owns, as the job resolved it.
 *
 * @param name the model name (a validated identifier)
 * @param version the version (a validated identifier)
 */
public record ModelVersion(String name, String version) implements Serializable {
  /** {@code name:version}, as messages and counts name a version. */
  public String label() {
    return name + ":" + version;
  }
}
