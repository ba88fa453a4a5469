package dev.inferlake.executors;

import java.io.Serializable;
import java.util.Set;
import java.util.TreeSet;

/**
 * The engine calls one model version made, across tasks: batch latencies, rows scored and the
 * devices the batches ran on.
 */
public final class VersionBatches implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LatencyHistogram latency = new LatencyHistogram();
  private final TreeSet<String> devices = new TreeSet<>();
  private long rows;

  void record(long nanos, int batchRows, String device) {
    latency.record(nanos);
    rows += batchRows;
    devices.add(device);
  }

  /** Adds {@code other}'s batches to these. */
  public void mergeFrom(VersionBatches other) {
    latency.merge(other.latency);
    rows += other.rows;
    devices.addAll(other.devices);
  }

  /** Engine time per batch (one run call, rows in and out included). */
  public LatencyHistogram latency() {
    return latency;
  }

  /** Engine calls made. */
  public long batches() {
    return latency.count();
  }

  /** Rows sent to the engine (rejected slots of a batch included). */
  public long rows() {
    return rows;
  }

  /** Devices the batches ran on, e.g. {@code [cpu]} or {@code [cuda:0]}. */
  public Set<String> devices() {
    return java.util.Collections.unmodifiableSet(devices);
  }
}
