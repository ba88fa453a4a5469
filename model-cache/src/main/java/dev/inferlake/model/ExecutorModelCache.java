package dev.inferlake.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * A per-JVM cache of loaded models (ONNX Runtime sessions or other runners), keyed by model
 * identity and load options, holding at most a byte budget of idle models.
 *
 * <p>Callers {@link #acquire} a lease and close it when done (a Spark task: when its partition is
 * scored). Single flight: when several threads ask for a key that is not loaded, exactly one runs
 * the loader and the others wait for it. A failed load is not cached, so a later task may retry it.
 * When the models held exceed the budget, the least recently used models that no lease holds are
 * closed; models in use are never closed, so the budget can be exceeded while they are.
 *
 * <p>Thread-safe. The cache owns the values and closes them on eviction or {@link #close()}.
 *
 * @param <V> the cached value, e.g. a runner holding a native session; must be thread-safe
 */
public final class ExecutorModelCache<V extends AutoCloseable> implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ExecutorModelCache.class.getName());

  /** A loaded value and the bytes it accounts for against the budget. */
  public record Loaded<V>(V value, long bytes) {}

  /** A hold on a cached value; closing it (once or more) releases the hold. */
  public interface Lease<V> extends AutoCloseable {
    V value();

    /** Whether this acquisition ran the loader. */
    boolean loaded();

    /** Time this acquisition spent loading, in nanoseconds (0 for a hit). */
    long loadNanos();

    @Override
    void close();
  }

  private static final class Entry<V> {
    final CompletableFuture<V> future = new CompletableFuture<>();
    long bytes;
    int leases;
    long lastUse;
  }

  private final Map<String, Entry<V>> entries = new HashMap<>(); // guarded by this
  private long budgetBytes;
  private long heldBytes;
  private long clock;
  private long loads;
  private long hits;
  private long evictions;
  private long loadNanos;

  /**
   * @param budgetBytes bytes of idle models to keep
   */
  public ExecutorModelCache(long budgetBytes) {
    setBudget(budgetBytes);
  }

  /** Changes the budget, evicting idle models now if needed. */
  public synchronized void setBudget(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("budget must be >= 0, was " + bytes);
    }
    budgetBytes = bytes;
    evictIdle();
  }

  /**
   * Leases the value for {@code key}, loading it with {@code loader} if no other thread has.
   *
   * @throws InferlakeException what the loader threw, if it threw one; other loader failures are
   *     wrapped in one of kind {@link ErrorKind#MODEL}
   */
  public Lease<V> acquire(String key, Supplier<Loaded<V>> loader) {
    Objects.requireNonNull(key, "key");
    Entry<V> e;
    boolean mine;
    synchronized (this) {
      e = entries.get(key);
      mine = e == null;
      if (mine) {
        e = new Entry<>();
        entries.put(key, e);
      } else {
        hits++;
      }
      e.leases++;
      e.lastUse = ++clock;
    }
    if (!mine) {
      try {
        return new LeaseImpl(e, await(key, e.future), false, 0);
      } catch (RuntimeException x) {
        release(e);
        throw x;
      }
    }
    long start = System.nanoTime();
    try {
      Loaded<V> l = Objects.requireNonNull(loader.get(), "loader returned null");
      long took = System.nanoTime() - start;
      synchronized (this) {
        e.bytes = l.bytes();
        heldBytes += l.bytes();
        loads++;
        loadNanos += took;
        e.future.complete(l.value());
        evictIdle();
      }
      return new LeaseImpl(e, l.value(), true, took);
    } catch (RuntimeException | Error x) {
      synchronized (this) {
        entries.remove(key, e);
      }
      e.future.completeExceptionally(x);
      throw x;
    }
  }

  private V await(String key, CompletableFuture<V> f) {
    try {
      return f.get();
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      throw ModelErrors.loadInterrupted(key, x);
    } catch (ExecutionException x) {
      Throwable cause = x.getCause();
      if (cause instanceof InferlakeException ie) {
        throw ie;
      }
      throw ModelErrors.loadFailed(key, cause);
    }
  }

  private synchronized void release(Entry<V> e) {
    e.leases--;
    e.lastUse = ++clock;
    evictIdle();
  }

  /** Closes least-recently-used idle models until the budget holds or none is idle. */
  private void evictIdle() {
    while (heldBytes > budgetBytes) {
      Map.Entry<String, Entry<V>> lru = null;
      for (Map.Entry<String, Entry<V>> c : entries.entrySet()) {
        Entry<V> e = c.getValue();
        boolean idle = e.leases == 0 && e.future.isDone() && !e.future.isCompletedExceptionally();
        if (idle && (lru == null || e.lastUse < lru.getValue().lastUse)) {
          lru = c;
        }
      }
      if (lru == null) {
        return;
      }
      entries.remove(lru.getKey());
      heldBytes -= lru.getValue().bytes;
      evictions++;
      try {
        lru.getValue().future.join().close();
      } catch (Exception x) {
        LOG.log(
            System.Logger.Level.WARNING, "closing evicted model " + lru.getKey() + " failed", x);
      }
    }
  }

  private final class LeaseImpl implements Lease<V> {
    private final Entry<V> entry;
    private final V value;
    private final boolean loaded;
    private final long nanos;
    private boolean closed;

    LeaseImpl(Entry<V> entry, V value, boolean loaded, long nanos) {
      this.entry = entry;
      this.value = value;
      this.loaded = loaded;
      this.nanos = nanos;
    }

    @Override
    public V value() {
      return value;
    }

    @Override
    public boolean loaded() {
      return loaded;
    }

    @Override
    public long loadNanos() {
      return nanos;
    }

    @Override
    public void close() {
      synchronized (ExecutorModelCache.this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      release(entry);
    }
  }

  /** Models loaded by this cache since it was made. */
  public synchronized long loads() {
    return loads;
  }

  /** Acquisitions answered by a model already loaded or being loaded. */
  public synchronized long hits() {
    return hits;
  }

  /** Models closed to keep within the budget. */
  public synchronized long evictions() {
    return evictions;
  }

  /** Total time spent in loaders, in nanoseconds. */
  public synchronized long loadNanos() {
    return loadNanos;
  }

  /** Bytes of the models held now. */
  public synchronized long heldBytes() {
    return heldBytes;
  }

  /** Number of loaded (or loading) entries. */
  public synchronized int size() {
    return entries.size();
  }

  /**
   * Closes every loaded value and empties the cache. Closing continues past a failing value; the
   * first failure is rethrown with the others suppressed.
   */
  @Override
  public void close() {
    List<CompletableFuture<V>> all;
    synchronized (this) {
      all = new ArrayList<>();
      entries.values().forEach(e -> all.add(e.future));
      entries.clear();
      heldBytes = 0;
    }
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
