package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.inferlake.model.ExecutorModelCache.Budget;
import dev.inferlake.model.ExecutorModelCache.Lease;
import dev.inferlake.model.ExecutorModelCache.Loaded;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExecutorModelCacheTest {

  /** A cached value that records whether it was closed. */
  static final class Handle implements AutoCloseable {
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  static Loaded<Handle> sized(long bytes) {
    return new Loaded<>(new Handle(), bytes);
  }

  @Test
  void concurrentRequestsForOneKeyLoadOnce() throws Exception {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(1 << 20);
    AtomicInteger loaderCalls = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Lease<Handle>>> got = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        got.add(
            pool.submit(
                () -> {
                  start.await();
                  return cache.acquire(
                      "sha256:aa",
                      () -> {
                        loaderCalls.incrementAndGet();
                        sleep(200); // hold the load open so the other threads must wait on it
                        return sized(10);
                      });
                }));
      }
      start.countDown();
      Handle first = got.get(0).get(10, TimeUnit.SECONDS).value();
      int loadedLeases = 0;
      for (Future<Lease<Handle>> f : got) {
        Lease<Handle> l = f.get(10, TimeUnit.SECONDS);
        assertSame(first, l.value());
        loadedLeases += l.loaded() ? 1 : 0;
      }
      assertEquals(1, loaderCalls.get());
      assertEquals(1, loadedLeases);
      assertEquals(1, cache.loads());
      assertEquals(7, cache.hits());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedLoadIsNotCachedAndReachesTheCaller() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(100);
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                cache.acquire(
                    "k",
                    () -> {
                      throw new InferlakeException(ErrorKind.MODEL, "broken model k");
                    }));
    assertEquals("broken model k", e.getMessage());
    assertEquals(0, cache.size());
    Handle h = cache.acquire("k", () -> sized(1)).value();
    assertSame(h, cache.acquire("k", () -> sized(1)).value());
    assertEquals(1, cache.loads());
  }

  @Test
  void idleModelsAreEvictedLeastRecentlyUsedFirstWhenOverBudget() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(100);
    Lease<Handle> a = cache.acquire("a", () -> sized(40));
    Lease<Handle> b = cache.acquire("b", () -> sized(40));
    a.close();
    b.close();
    cache.acquire("a", () -> sized(40)).close(); // a is now more recently used than b
    Lease<Handle> c = cache.acquire("c", () -> sized(40)); // 120 > 100: evict the LRU idle, b
    assertEquals(1, b.value().closed.get());
    assertEquals(0, a.value().closed.get());
    assertEquals(80, cache.heldBytes());
    assertEquals(1, cache.evictions());
    c.close();
    // b was evicted, so asking again loads it anew.
    long loads = cache.loads();
    Lease<Handle> b2 = cache.acquire("b", () -> sized(40));
    assertTrue(b2.loaded());
    assertNotSame(b.value(), b2.value());
    assertEquals(loads + 1, cache.loads());
  }

  @Test
  void modelsInUseAreNeverClosedAndGoOnceReleased() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(50);
    Lease<Handle> a = cache.acquire("a", () -> sized(40));
    Lease<Handle> b = cache.acquire("b", () -> sized(40)); // over budget, but both are held
    assertEquals(0, a.value().closed.get() + b.value().closed.get());
    assertEquals(80, cache.heldBytes());
    a.close();
    assertEquals(1, a.value().closed.get(), "a is idle and over budget: closed on release");
    a.close(); // closing a lease twice releases once
    assertFalse(b.value().closed.get() > 0);
    assertEquals(40, cache.heldBytes());
    b.close();
    assertEquals(0, b.value().closed.get(), "within budget: b stays loaded");
  }

  @Test
  void aJobsZeroBudgetClosesOnlyTheModelsThatJobKeeps() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(1000);
    Budget jobA = new Budget("run-a", 100);
    Budget jobB = new Budget("run-b", 0);
    Lease<Handle> a = cache.acquire("a", jobA, () -> sized(40));
    a.close(); // job a leaves an idle model

    Lease<Handle> b = cache.acquire("b", jobB, () -> sized(40));
    b.close();
    assertEquals(1, b.value().closed.get(), "job b keeps none of its idle models");
    assertEquals(0, a.value().closed.get(), "job a's model is not job b's to close");
    long loads = cache.loads();
    try (Lease<Handle> again = cache.acquire("a", jobA, () -> sized(40))) {
      assertSame(a.value(), again.value());
    }
    assertEquals(loads, cache.loads());

    // a model both jobs used stays while job a keeps it
    cache.acquire("a", jobB, () -> sized(40)).close();
    assertEquals(0, a.value().closed.get());
    assertEquals(40, cache.heldBytes());
  }

  @Test
  void jobsKeepWithinTheirOwnBudgetsAndAllWithinTheLargest() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(1000);
    Budget small = new Budget("small", 50);
    Budget large = new Budget("large", 100);
    Lease<Handle> s1 = cache.acquire("s1", small, () -> sized(40));
    s1.close();
    Lease<Handle> s2 = cache.acquire("s2", small, () -> sized(40));
    s2.close();
    assertEquals(1, s1.value().closed.get(), "80 > 50: job small gives up its oldest");
    Lease<Handle> l1 = cache.acquire("l1", large, () -> sized(40));
    l1.close();
    assertEquals(80, cache.heldBytes(), "each within its own budget, 80 within the largest");
    Lease<Handle> l2 = cache.acquire("l2", large, () -> sized(40));
    l2.close();
    // 120 > 100, the largest budget: the least recently used idle model goes, whoever keeps it
    assertEquals(1, s2.value().closed.get());
    assertEquals(0, l1.value().closed.get() + l2.value().closed.get());
    assertEquals(80, cache.heldBytes());
  }

  @Test
  void closeClosesEveryValueOnce() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(1000);
    Handle a = cache.acquire("a", () -> sized(1)).value();
    Handle b = cache.acquire("b", () -> sized(1)).value();
    cache.close();
    assertEquals(1, a.closed.get());
    assertEquals(1, b.closed.get());
    assertEquals(0, cache.size());
    assertNotSame(a, cache.acquire("a", () -> sized(1)).value());
  }

  @Test
  void aLoadThatFinishesAfterCloseIsClosedNotLeaked() throws Exception {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>(1000);
    Handle late = new Handle();
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Lease<Handle>> loader =
          pool.submit(
              () ->
                  cache.acquire(
                      "a",
                      () -> {
                        loading.countDown();
                        try {
                          closed.await();
                        } catch (InterruptedException e) {
                          throw new IllegalStateException(e);
                        }
                        return new Loaded<>(late, 10);
                      }));
      assertTrue(loading.await(10, TimeUnit.SECONDS));
      Future<Lease<Handle>> waiter = pool.submit(() -> cache.acquire("a", () -> sized(10)));
      while (cache.hits() == 0) {
        sleep(1); // the waiter is on the load in flight
      }
      cache.close();
      closed.countDown();

      for (Future<Lease<Handle>> f : List.of(loader, waiter)) {
        try {
          f.get(10, TimeUnit.SECONDS).close();
          fail("a model the closed cache no longer holds was leased");
        } catch (ExecutionException x) {
          assertTrue(x.getCause() instanceof InferlakeException, x.toString());
        } finally {
          assertEquals(1, late.closed.get(), "the value loaded after close() is closed once");
        }
      }
      assertEquals(0, cache.size());
      assertEquals(0, cache.heldBytes());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
