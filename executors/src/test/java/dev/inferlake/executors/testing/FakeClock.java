package dev.inferlake.executors.testing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told to: timings in tests without real waiting. */
public final class FakeClock implements LongSupplier {
  private final AtomicLong nanos = new AtomicLong();

  /** The current time, in nanoseconds. */
  @Override
  public long getAsLong() {
    return nanos.get();
  }

  /** Moves the clock forward. */
  public void advance(long by) {
    if (by < 0) {
      throw new AssertionError("a clock does not go back: " + by);
    }
    nanos.addAndGet(by);
  }
}
