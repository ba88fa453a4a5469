package dev.inferlake.executors.internal;

import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the batch size for {@code batch_size: auto} by timing the task's own runners, on the
 * executor's own CPU or GPU, at a few sizes: the smallest size within 5% of the best rate wins
 * (smaller batches hold less memory). Inputs are zeros of each input's own element type and shape
 * (empty strings for string inputs). The first task of a JVM probes; later tasks with the same
 * models and runner options reuse its answer.
 *
 * <p>Memory is capped by bytes, not rows: a size is tried only when the input and output tensors of
 * all models at that size fit {@link #PROBE_BYTES} (so an image model, at 600 KB a row, is tried at
 * 64 and 256 rows only). When not even the smallest size fits, the probe runs nothing and picks the
 * most rows that fit, at least one.
 */
public final class BatchSizeProbe {
  private static final Logger LOG = LoggerFactory.getLogger(BatchSizeProbe.class);

  /** The sizes tried, smallest first. */
  public static final int[] CANDIDATES = {64, 256, 1024, 4096, 16384};

  /** The most bytes of input and output tensors, all models together, that a probe size may use. */
  public static final long PROBE_BYTES = 256L << 20;

  /** Bytes a string element is counted as: the reference its tensor holds. */
  private static final int STRING_BYTES = 8;

  /** Used when a model's inputs have no fixed width to probe with. */
  public static final int FALLBACK = 1024;

  private static final long MIN_NANOS = 40_000_000L;
  private static final long STOP_NANOS = 1_500_000_000L;

  private static final Map<String, Integer> CHOSEN = new ConcurrentHashMap<>();

  private BatchSizeProbe() {}

  /**
   * The result of a probe.
   *
   * @param chosen the batch size picked
   * @param rowsPerSecond each size tried, with the rows per second all models scored at it
   */
  public record Result(int chosen, Map<Integer, Double> rowsPerSecond) {}

  /** The batch size for these runners: this JVM's earlier answer, or a new probe. */
  public static int choose(List<ScoredModel> models, List<Runner> runners, RunnerOptions options) {
    StringBuilder key = new StringBuilder(options.toString());
    for (ScoredModel m : models) {
      key.append('|').append(m.digest());
    }
    return CHOSEN.computeIfAbsent(
        key.toString(),
        k -> {
          Result r = probe(runners, models, CANDIDATES);
          LOG.info(
              "batch_size auto: {} rows per engine call (rows/s by size: {})",
              r.chosen(),
              r.rowsPerSecond());
          return r.chosen();
        });
  }

  /** Times every runner at each candidate size. */
  public static Result probe(List<Runner> runners, List<ScoredModel> models, int[] candidates) {
    return probe(runners, models, candidates, System::nanoTime);
  }

  /**
   * Times every runner at each candidate size by {@code clock}, in nanoseconds.
   *
   * @param models the runners' models, in the same order: which output each probe run fetches
   */
  static Result probe(
      List<Runner> runners, List<ScoredModel> models, int[] candidates, LongSupplier clock) {
    Map<Integer, Double> rates = new LinkedHashMap<>();
    for (Runner r : runners) {
      for (TensorSpec in : r.signature().inputs()) {
        if (in.elementsPerRow() <= 0) {
          return new Result(FALLBACK, rates);
        }
      }
    }
    List<List<TensorSpec>> outs = outputs(runners, models);
    long rowBytes = rowBytes(runners, outs);
    List<Integer> fitting = new ArrayList<>();
    for (int b : candidates) {
      if (b <= PROBE_BYTES / rowBytes) { // b * rowBytes <= PROBE_BYTES, without overflow
        fitting.add(b);
      }
    }
    if (fitting.isEmpty()) {
      int rows = (int) Math.max(1, Math.min(PROBE_BYTES / rowBytes, Integer.MAX_VALUE));
      return new Result(rows, rates);
    }
    for (int b : fitting) {
      List<Map<String, Tensor>> inputs = new ArrayList<>();
      List<Map<String, Tensor>> outputs = new ArrayList<>();
      for (int i = 0; i < runners.size(); i++) {
        ModelSignature sig = runners.get(i).signature();
        Map<String, Tensor> in = new HashMap<>();
        for (TensorSpec t : sig.inputs()) {
          in.put(t.name(), Tensor.allocate(t, b)); // zeros of the input's own type and shape
        }
        inputs.add(in);
        Map<String, Tensor> out = new HashMap<>();
        for (TensorSpec t : outs.get(i)) {
          out.put(
              t.name(),
              Tensor.withCapacity(t.type(), Math.multiplyExact(b, (int) t.elementsPerRow())));
        }
        outputs.add(out);
      }
      runAll(runners, inputs, outputs, b); // warm-up at this shape
      long spent = 0;
      int reps = 0;
      while (reps < 2 || spent < MIN_NANOS) {
        long t0 = clock.getAsLong();
        runAll(runners, inputs, outputs, b);
        spent += clock.getAsLong() - t0;
        reps++;
      }
      rates.put(b, (double) reps * b / (spent / 1e9));
      if (spent / reps > STOP_NANOS) {
        break; // one call already takes long: larger batches only cost memory
      }
    }
    double best = rates.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    int chosen = FALLBACK;
    for (Map.Entry<Integer, Double> e : rates.entrySet()) {
      if (e.getValue() >= 0.95 * best) {
        chosen = e.getKey();
        break;
      }
    }
    return new Result(chosen, rates);
  }

  /** The outputs each runner is asked for: its model's task output and stored outputs. */
  private static List<List<TensorSpec>> outputs(List<Runner> runners, List<ScoredModel> models) {
    List<List<TensorSpec>> outs = new ArrayList<>();
    for (int i = 0; i < runners.size(); i++) {
      ScoredModel m = models.get(i);
      List<TensorSpec> specs = new ArrayList<>();
      for (String name : m.fetched()) {
        TensorSpec t =
            runners
                .get(i)
                .signature()
                .output(name)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "model '" + m.label() + "' has no output '" + name + "'"));
        // the task output holds the width the driver bound it with
        specs.add(
            name.equals(m.outputName())
                ? new TensorSpec(name, t.type(), new long[] {-1, m.outputWidth()})
                : t);
      }
      outs.add(specs);
    }
    return outs;
  }

  /**
   * Bytes of input and output tensors per row, all models together, saturating at {@link
   * Long#MAX_VALUE} instead of overflowing; at least 1.
   */
  private static long rowBytes(List<Runner> runners, List<List<TensorSpec>> outputs) {
    long total = 0;
    for (int i = 0; i < runners.size(); i++) {
      for (TensorSpec t : runners.get(i).signature().inputs()) {
        total = saturatedAdd(total, tensorRowBytes(t.type(), t.shape()));
      }
      for (TensorSpec t : outputs.get(i)) {
        total = saturatedAdd(total, tensorRowBytes(t.type(), t.shape()));
      }
    }
    return Math.max(1, total);
  }

  /** Bytes one row of a tensor of this type and shape (batch dimension first) holds. */
  private static long tensorRowBytes(ElementType type, long[] shape) {
    long bytes = type == ElementType.STRING ? STRING_BYTES : Tensor.elementBytes(type);
    for (int d = 1; d < shape.length; d++) {
      if (shape[d] != 0 && bytes > Long.MAX_VALUE / shape[d]) {
        return Long.MAX_VALUE;
      }
      bytes *= shape[d];
    }
    return bytes;
  }

  private static long saturatedAdd(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  private static void runAll(
      List<Runner> runners,
      List<Map<String, Tensor>> inputs,
      List<Map<String, Tensor>> outputs,
      int rows) {
    for (int i = 0; i < runners.size(); i++) {
      runners.get(i).run(inputs.get(i), rows, outputs.get(i));
    }
  }
}
