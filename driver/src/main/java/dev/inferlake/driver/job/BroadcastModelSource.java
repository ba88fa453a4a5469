package dev.inferlake.driver.job;

import dev.inferlake.executors.ModelSource;
import org.apache.spark.broadcast.Broadcast;

/** Model bytes shipped once per executor through Spark's broadcast. */
public final class BroadcastModelSource implements ModelSource {
  private static final long serialVersionUID = 1L;
  private final Broadcast<byte[]> bytes;

  public BroadcastModelSource(Broadcast<byte[]> bytes) {
    this.bytes = bytes;
  }

  @Override
  public byte[] bytes() {
    return bytes.value();
  }
}
