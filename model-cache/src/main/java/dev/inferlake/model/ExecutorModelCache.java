package dev.inferlake.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * A per-JVM cache of loaded models (ONNX Runtime sessions or other runners), keyed by model
 * identity and load options, keeping idle models within the byte budgets of the jobs that use them.
 *
 * <p>Callers {@link #acquire} a lease and close it when done (a Spark task: when its partition is
 * scored). Single flight: when several threads ask for a key that is not loaded, exactly one runs
 * the loader and the others wait for it. A failed load is not cached, so a later task may retry it.
 * Models in use are never closed, so a budget can be exceeded while they are.
 *
 * <p>Budgets are per job, because one executor JVM serves tasks of several jobs in turn or at once.
 * Each acquisition names its job's {@link Budget}; the job then keeps the model (the cache counts
 * it against that job's budget) until the job gives it up. A job's budget limits only the models it
 * keeps: when the models a job keeps exceed its budget, it gives up its least recently used idle
 * ones, and a model is closed once no job keeps it. So a job asking for a budget of 0 closes its
 * own models as soon as they are idle, but never a model another job keeps. Over all jobs, the
 * models held stay within the largest budget of a job that keeps any (least recently used idle
 * models closed first), so jobs that come and go do not add up. Acquisitions that name no budget
 * count as one job with the budget given by the constructor or {@link #setBudget}.
 *
 * <p>Thread-safe. The cache owns the values and closes them on eviction or {@link #close()}.
 *
 * @param <V> the cached value, e.g. a runner holding a native session; must be thread-safe
 */
public final class ExecutorModelCache<V extends AutoCloseable> implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ExecutorModelCache.class.getName());

  /** The job of acquisitions that name no budget: no {@link Budget}'s job equals it. */
  private static final Object DEFAULT_JOB = new Object();

  /**
   * A loaded value and the bytes it accounts for against the budget.
   *
   * @param bytes {@code >= 0}
   */
  public record Loaded<V>(V value, long bytes) {
    public Loaded {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
      }
    }
  }

  /**
   * What a job asks of the cache: to keep up to {@code bytes} of the models it used loaded while
   * they are idle. A job's latest acquisition sets its budget.
   *
   * @param job the job, e.g. its run id
   * @param bytes bytes of idle models the job keeps, {@code >= 0}
   */
  public record Budget(String job, long bytes) {
    public Budget {
      Objects.requireNonNull(job, "job");
      if (bytes < 0) {
        throw new IllegalArgumentException("budget must be >= 0, was " + bytes);
      }
    }
  }

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
    final Set<Object> jobs = new HashSet<>(); // the jobs keeping this model
    long bytes;
    int leases;
    long lastUse;

    boolean loaded() {
      return future.isDone() && !future.isCompletedExceptionally();
    }
  }

  private final Map<String, Entry<V>> entries = new HashMap<>(); // guarded by this
  private final Map<Object, Long> budgets = new HashMap<>(); // of jobs keeping models; by this
  private long defaultBudget;
  private long heldBytes;
  private long clock;
  private long loads;
  private long hits;
  private long evictions;
  private long loadNanos;

  /**
   * @param budgetBytes bytes of idle models to keep for acquisitions that name no budget
   */
  public ExecutorModelCache(long budgetBytes) {
    setBudget(budgetBytes);
  }

  /**
   * Changes the budget of acquisitions that name none, evicting idle models now if needed; the
   * budgets of named jobs are unchanged.
   */
  public synchronized void setBudget(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("budget must be >= 0, was " + bytes);
    }
    defaultBudget = bytes;
    budgets.computeIfPresent(DEFAULT_JOB, (j, b) -> bytes);
    evictIdle();
  }

  /**
   * Leases the value for {@code key} under the budget given by the constructor or {@link
   * #setBudget}, loading it with {@code loader} if no other thread has.
   *
   * @throws InferlakeException what the loader threw, if it threw one; other loader failures are
   *     wrapped in one of kind {@link ErrorKind#MODEL}
   */
  public Lease<V> acquire(String key, Supplier<Loaded<V>> loader) {
    return acquire(key, DEFAULT_JOB, -1, loader);
  }

  /**
   * Leases the value for {@code key} for a job, which keeps it within its own budget once idle,
   * loading it with {@code loader} if no other thread has.
   *
   * @throws InferlakeException what the loader threw, if it threw one; other loader failures are
   *     wrapped in one of kind {@link ErrorKind#MODEL}
   */
  public Lease<V> acquire(String key, Budget budget, Supplier<Loaded<V>> loader) {
    Objects.requireNonNull(budget, "budget");
    return acquire(key, budget.job(), budget.bytes(), loader);
  }

  /** {@code bytes} of -1: the default budget. */
  private Lease<V> acquire(String key, Object job, long bytes, Supplier<Loaded<V>> loader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(loader, "loader");
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
      e.jobs.add(job);
      budgets.put(job, bytes < 0 ? defaultBudget : bytes);
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
        loads++;
        loadNanos += took;
        if (entries.get(key) != e) {
          throw closeLate(key, l.value()); // close() emptied the cache during the load
        }
        e.bytes = l.bytes();
        heldBytes += l.bytes();
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

  /**
   * Closes a value whose load finished after {@link #close()}: nobody may lease it, as the cache
   * that would close it no longer holds it.
   *
   * @return the failure for the acquisitions waiting on the load
   */
  private static InferlakeException closeLate(String key, AutoCloseable value) {
    InferlakeException x = ModelErrors.closedWhileLoading(key);
    try {
      value.close();
    } catch (Exception c) {
      x.addSuppressed(c);
    }
    return x;
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

  /**
   * Each job gives up its least recently used idle models beyond its budget; models no job keeps
   * are closed, then least recently used idle ones while over the largest budget of a job that
   * keeps any.
   */
  private void evictIdle() {
    for (Map.Entry<Object, Long> b : budgets.entrySet()) {
      Object job = b.getKey();
      List<Entry<V>> kept = new ArrayList<>();
      long total = 0;
      for (Entry<V> e : entries.values()) {
        if (e.loaded() && e.jobs.contains(job)) {
          kept.add(e);
          total += e.bytes;
        }
      }
      kept.sort(Comparator.comparingLong(e -> e.lastUse));
      for (Iterator<Entry<V>> it = kept.iterator(); total > b.getValue() && it.hasNext(); ) {
        Entry<V> e = it.next();
        if (e.leases == 0) {
          e.jobs.remove(job);
          total -= e.bytes;
        }
      }
    }
    while (true) {
      long cap = 0;
      Set<Object> keeping = new HashSet<>();
      for (Entry<V> e : entries.values()) {
        keeping.addAll(e.jobs);
      }
      budgets.keySet().retainAll(keeping);
      for (long b : budgets.values()) {
        cap = Math.max(cap, b);
      }
      Map.Entry<String, Entry<V>> victim = null;
      for (Map.Entry<String, Entry<V>> c : entries.entrySet()) {
        Entry<V> e = c.getValue();
        if (e.leases > 0 || !e.loaded()) {
          continue;
        }
        if (e.jobs.isEmpty()) {
          victim = c; // kept by no job
          break;
        }
        if (heldBytes > cap && (victim == null || e.lastUse < victim.getValue().lastUse)) {
          victim = c;
        }
      }
      if (victim == null) {
        return;
      }
      evict(victim.getKey(), victim.getValue());
    }
  }

  private void evict(String key, Entry<V> e) {
    entries.remove(key);
    heldBytes -= e.bytes;
    evictions++;
    try {
      e.future.join().close();
    } catch (Exception x) {
      LOG.log(System.Logger.Level.WARNING, "closing evicted model " + key + " failed", x);
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
   * first failure is rethrown with the others suppressed. A load in flight is closed when it
   * finishes, and its acquisitions fail with an {@link InferlakeException} of kind {@link
   * ErrorKind#RUN}; the cache may be used again afterwards.
   */
  @Override
  public void close() {
    List<CompletableFuture<V>> all;
    synchronized (this) {
      all = new ArrayList<>();
      entries.values().forEach(e -> all.add(e.future));
      entries.clear();
      budgets.clear();
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
