package dev.inferlake.executors.internal;

import dev.inferlake.executors.ImageFeed;
import dev.inferlake.executors.ImagePreprocessor;
import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.ScoringSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Decodes pictures ahead of the scorer: wraps a task's input so that, while the engine runs one
 * batch, the next batch's pictures are decoded and preprocessed on the JVM's shared decode threads.
 * At most one batch of rows, and no more than {@link #AHEAD_BYTES} of decoded values, are held at
 * once (copied rows with their decoded values), so memory stays flat however long the partition is.
 * Rows come out in input order; after {@link #next()}, {@link #current} holds that row's decoded
 * values for each image input, which its {@link ImageEncoder} takes instead of decoding itself.
 *
 * <p>Used by one task thread; the decode threads see only byte arrays.
 */
final class ImageAhead implements Iterator<InternalRow> {
  /**
   * One pool per JVM, a thread per core, daemon threads that end when idle: decode work of every
   * task on the executor shares the cores the engine leaves free.
   */
  private static final ExecutorService POOL = pool();

  /** The decoded values held ahead at most, per task: 64 MiB of floats. */
  static final long AHEAD_BYTES = 64L << 20;

  /** What a decoded value depends on: the column, the package's preprocessing and the shape. */
  record Key(int ordinal, ImageFeed feed, List<Long> shape) {
    static Key of(InputBinding b) {
      List<Long> shape = new ArrayList<>();
      for (long d : b.input().shape()) {
        shape.add(d);
      }
      return new Key(b.columns().get(0).ordinal(), b.image(), List.copyOf(shape));
    }
  }

  private record Pending(InternalRow row, Future<Object[]> decoded) {}

  private final Iterator<InternalRow> input;
  private final int ahead;
  private final Map<Key, Integer> index = new LinkedHashMap<>();
  private final List<ImagePreprocessor> preprocessors = new ArrayList<>();
  private final int[] ordinals;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private Object[] current;

  /**
   * The input with pictures decoded ahead, when a model reads pictures and the JVM has more than
   * one core; the input as it is otherwise (encoders then decode in the task thread).
   */
  static Iterator<InternalRow> wrap(ScoringSpec spec, Iterator<InternalRow> input, int batchSize) {
    if (!enabled()) {
      return input;
    }
    ImageAhead a = new ImageAhead(spec, input, batchSize);
    return a.index.isEmpty() ? input : a;
  }

  /**
   * Whether decoding runs ahead: on a JVM with two or more cores, unless the system property {@code
   * inferlake.image.decodeAhead} is {@code false} (benchmarks compare both).
   */
  static boolean enabled() {
    return Runtime.getRuntime().availableProcessors() > 1
        && !"false".equals(System.getProperty("inferlake.image.decodeAhead"));
  }

  private ImageAhead(ScoringSpec spec, Iterator<InternalRow> input, int batchSize) {
    this.input = input;
    List<Integer> cols = new ArrayList<>();
    for (ScoredModel m : spec.models()) {
      for (InputBinding b : m.inputs()) {
        switch (b.kind()) {
          case IMAGE -> {
            Key k = Key.of(b);
            if (!index.containsKey(k)) {
              index.put(k, preprocessors.size());
              preprocessors.add(
                  new ImagePreprocessor(
                      b.image().image(), b.input().shape(), b.image().maxPixels()));
              cols.add(k.ordinal());
            }
          }
          case VALUES, TEXT -> {}
        }
      }
    }
    this.ordinals = cols.stream().mapToInt(Integer::intValue).toArray();
    long bytesPerRow = 0;
    for (ImagePreprocessor p : preprocessors) {
      bytesPerRow += 4L * p.valuesPerPicture();
    }
    this.ahead = (int) Math.max(1, Math.min(batchSize, AHEAD_BYTES / Math.max(1, bytesPerRow)));
  }

  @Override
  public boolean hasNext() {
    fill();
    return !queue.isEmpty();
  }

  @Override
  public InternalRow next() {
    fill();
    Pending p = queue.poll();
    if (p == null) {
      throw new NoSuchElementException();
    }
    try {
      current = p.decoded().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while decoding pictures", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("decoding a picture failed", e.getCause());
    }
    return p.row();
  }

  /**
   * The last row's decoded values for the image input {@code key}: a {@code float[]} of its values,
   * a {@link ImagePreprocessor.Refusal}, or null for a null column; throws for a key this input
   * does not decode.
   */
  Object current(Key key) {
    Integer i = index.get(key);
    if (i == null) {
      throw new IllegalArgumentException("no picture is decoded ahead for " + key);
    }
    return current[i];
  }

  /** Reads rows until {@code ahead} are pending or the input ends, starting their decoding. */
  private void fill() {
    while (queue.size() < ahead && input.hasNext()) {
      InternalRow row = input.next().copy();
      byte[][] bytes = new byte[ordinals.length][];
      for (int i = 0; i < ordinals.length; i++) {
        bytes[i] = row.isNullAt(ordinals[i]) ? null : row.getBinary(ordinals[i]);
      }
      queue.add(new Pending(row, POOL.submit(() -> decode(bytes))));
    }
  }

  private Object[] decode(byte[][] bytes) {
    Object[] out = new Object[preprocessors.size()];
    for (int i = 0; i < out.length; i++) {
      if (bytes[i] != null) {
        ImagePreprocessor p = preprocessors.get(i);
        float[] values = new float[p.valuesPerPicture()];
        ImagePreprocessor.Refusal r = p.preprocess(bytes[i], values, 0);
        out[i] = r == null ? values : r;
      }
    }
    return out;
  }

  private static ExecutorService pool() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ThreadPoolExecutor p =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "inferlake-image-decode");
              t.setDaemon(true);
              return t;
            });
    p.allowCoreThreadTimeOut(true);
    return p;
  }
}
