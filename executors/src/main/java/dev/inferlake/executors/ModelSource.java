package dev.inferlake.executors;

import java.io.Serializable;

/**
 * Where an executor gets a model's bytes. Fetched only when the executor JVM's cache does not
 * already hold the model, so a broadcast behind it is not even read by later tasks.
 */
@FunctionalInterface
public interface ModelSource extends Serializable {
  byte[] bytes();
}
