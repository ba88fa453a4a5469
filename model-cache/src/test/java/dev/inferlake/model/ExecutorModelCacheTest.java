package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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

  @Test
  void concurrentRequestsForOneKeyLoadOnce() throws Exception {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>();
    AtomicInteger loaderCalls = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Handle>> got = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        got.add(
            pool.submit(
                () -> {
                  start.await();
                  return cache.get(
                      "sha256:aa",
                      () -> {
                        loaderCalls.incrementAndGet();
                        sleep(200); // hold the load open so the other threads must wait on it
                        return new Handle();
                      });
                }));
      }
      start.countDown();
      Handle first = got.get(0).get(10, TimeUnit.SECONDS);
      for (Future<Handle> f : got) {
        assertSame(first, f.get(10, TimeUnit.SECONDS));
      }
      assertEquals(1, loaderCalls.get());
      assertEquals(1, cache.loads());
      assertEquals(7, cache.hits());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedLoadIsNotCachedAndReachesTheCaller() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>();
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () ->
                cache.get(
                    "k",
                    () -> {
                      throw new InferlakeException(ErrorKind.MODEL, "broken model k");
                    }));
    assertEquals("broken model k", e.getMessage());
    assertEquals(0, cache.size());
    Handle h = cache.get("k", Handle::new);
    assertSame(h, cache.get("k", Handle::new));
    assertEquals(1, cache.loads());
  }

  @Test
  void closeClosesEveryValueOnce() {
    ExecutorModelCache<Handle> cache = new ExecutorModelCache<>();
    Handle a = cache.get("a", Handle::new);
    Handle b = cache.get("b", Handle::new);
    cache.close();
    assertEquals(1, a.closed.get());
    assertEquals(1, b.closed.get());
    assertEquals(0, cache.size());
    assertTrue(cache.get("a", Handle::new) != a, "a closed value must not be handed out again");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
