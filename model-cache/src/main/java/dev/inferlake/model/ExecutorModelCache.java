package dev.inferlake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A per-JVM cache of loaded models (ONNX Runtime sessions or other runners), keyed by model digest
 * and load options.
 *
 * <p>Single flight: when several threads ask for a key that is not loaded, exactly one runs the
 * loader and the others wait for its result. A failed load is not cached, so a later task may retry
 * it. Values are shared by every caller and must be thread-safe; the cache owns them and closes
 * them in {@link #close()}.
 *
 * <p>Thread-safe.
 *
 * @param <V> the cached value, e.g. a runner holding a native session
 */
public final class ExecutorModelCache<V extends AutoCloseable> implements AutoCloseable {
  private final Map<String, CompletableFuture<V>> entries = new ConcurrentHashMap<>();
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong loadNanos = new AtomicLong();

  /**
   * Returns the value for {@code key}, loading it with {@code loader} if no other thread has.
   *
   * @throws InferlakeException what the loader threw, if it threw one; other loader failures are
   *     wrapped in one of kind {@link ErrorKind#MODEL}
   */
  public V get(String key, Supplier<V> loader) {
    Objects.requireNonNull(key, "key");
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = entries.putIfAbsent(key, mine);
    if (existing != null) {
      hits.incrementAndGet();
      return await(key, existing);
    }
    long start = System.nanoTime();
    try {
      V value = Objects.requireNonNull(loader.get(), "loader returned null");
      loads.incrementAndGet();
      loadNanos.addAndGet(System.nanoTime() - start);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      entries.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private V await(String key, CompletableFuture<V> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferlakeException(ErrorKind.RUN, "interrupted while loading model " + key, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof InferlakeException ie) {
        throw ie;
      }
      throw new InferlakeException(
          ErrorKind.MODEL, "loading model " + key + " failed: " + cause, cause);
    }
  }

  /** Models loaded by this cache since it was made. */
  public long loads() {
    return loads.get();
  }

  /** Requests answered by a model already loaded or being loaded. */
  public long hits() {
    return hits.get();
  }

  /** Total time spent in loaders, in nanoseconds. */
  public long loadNanos() {
    return loadNanos.get();
  }

  /** Number of loaded (or loading) entries. */
  public int size() {
    return entries.size();
  }

  /**
   * Closes every loaded value and empties the cache. Closing continues past a failing value; the
   * first failure is rethrown with the others suppressed.
   */
  @Override
  public void close() {
    List<CompletableFuture<V>> all = new ArrayList<>(entries.values());
    entries.clear();
    RuntimeException first = null;
    for (CompletableFuture<V> f : all) {
      if (!f.isDone() || f.isCompletedExceptionally()) {
        continue;
      }
      try {
        f.join().close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("closing a cached model failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
