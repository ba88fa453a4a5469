package dev.inferlake.executors.testing;

import dev.inferlake.executors.Runner;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToDoubleFunction;

/**
 * A {@link Runner} in plain Java, with no native library, for fast unit tests. It computes a
 * checkable function: take a row's input values one after another (inputs in signature order, each
 * row-major; a string counts as its length, a bool as 0 or 1); value {@code k} of each output of
 * width {@code w} is the sum of the values at positions {@code p} with {@code p % w == k} (see
 * {@link #expected}). Outputs are written in their own element type (rounded for integers).
 *
 * <p>It fails loudly, with an {@link AssertionError}, on any call the {@link Runner} contract
 * forbids: a missing or unexpected input, an input of the wrong element type or shape, rows that do
 * not match, an unknown output, an output of the wrong type or too small for the batch, a call
 * after {@link #close}. Every call is recorded. Thread-safe enough for one task at a time.
 */
public final class FakeRunner implements Runner {

  /** One call: its rows, and each input's shape. */
  public record Call(int rows, Map<String, List<Long>> inputShapes, Set<String> outputs) {}

  private final ModelSignature signature;
  private final FakeClock clock;
  private final long nanosPerCall;
  private final long nanosPerRow;
  private final List<Call> calls = new ArrayList<>();
  private volatile Map<String, Tensor> lastInputs;
  private volatile boolean closed;

  /** A runner that takes no time. */
  public FakeRunner(ModelSignature signature) {
    this(signature, null, 0, 0);
  }

  /** A runner whose every call moves {@code clock} by {@code nanosPerCall + rows * nanosPerRow}. */
  public FakeRunner(
      ModelSignature signature, FakeClock clock, long nanosPerCall, long nanosPerRow) {
    this.signature = signature;
    this.clock = clock;
    this.nanosPerCall = nanosPerCall;
    this.nanosPerRow = nanosPerRow;
    for (TensorSpec out : signature.outputs()) {
      if (out.elementsPerRow() < 1) {
        throw new AssertionError("FakeRunner needs fixed output shapes, not " + out);
      }
    }
  }

  /**
   * What this runner computes for one row: the row's values (inputs one after another) folded into
   * {@code width} sums.
   */
  public static double[] expected(int width, double... rowValues) {
    double[] out = new double[width];
    for (int p = 0; p < rowValues.length; p++) {
      out[p % width] += rowValues[p];
    }
    return out;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public synchronized void run(Map<String, Tensor> inputs, int rows, Map<String, Tensor> outputs) {
    if (closed) {
      throw new AssertionError("run after close");
    }
    if (rows < 1) {
      throw new AssertionError("a batch of " + rows + " rows");
    }
    Set<String> unexpected = new HashSet<>(inputs.keySet());
    List<IntToDoubleFunction> readers = new ArrayList<>();
    List<Integer> widths = new ArrayList<>();
    Map<String, List<Long>> shapes = new java.util.TreeMap<>();
    for (TensorSpec spec : signature.inputs()) {
      Tensor t = inputs.get(spec.name());
      unexpected.remove(spec.name());
      if (t == null) {
        throw new AssertionError("input '" + spec.name() + "' missing; got " + inputs.keySet());
      }
      if (t.type() != spec.type()) {
        throw new AssertionError("input '" + spec.name() + "' is " + t + ", expected " + spec);
      }
      long[] shape = t.shape();
      long[] want = spec.shape();
      boolean fits = shape.length == want.length && shape[0] == rows;
      for (int i = 1; fits && i < want.length; i++) {
        fits = want[i] < 0 || want[i] == shape[i];
      }
      if (!fits) {
        throw new AssertionError(
            "input '" + spec.name() + "' is " + t + ", not " + spec + " for " + rows + " rows");
      }
      readers.add(reader(t));
      widths.add(t.size() / rows);
      shapes.put(spec.name(), Arrays.stream(shape).boxed().toList());
    }
    if (!unexpected.isEmpty()) {
      throw new AssertionError("inputs the model does not have: " + unexpected);
    }
    if (outputs.isEmpty()) {
      throw new AssertionError("no output asked for");
    }
    for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
      TensorSpec spec =
          signature
              .output(e.getKey())
              .orElseThrow(() -> new AssertionError("no output '" + e.getKey() + "'"));
      write(spec, e.getValue(), rows, readers, widths);
    }
    calls.add(new Call(rows, shapes, Set.copyOf(outputs.keySet())));
    lastInputs = Map.copyOf(inputs);
    if (clock != null) {
      clock.advance(nanosPerCall + rows * nanosPerRow);
    }
  }

  private static void write(
      TensorSpec spec,
      Tensor out,
      int rows,
      List<IntToDoubleFunction> readers,
      List<Integer> widths) {
    if (out.type() != spec.type()) {
      throw new AssertionError("output '" + spec.name() + "' is " + out + ", expected " + spec);
    }
    int width = (int) spec.elementsPerRow();
    if ((long) rows * width > out.capacity()) {
      throw new AssertionError(
          rows + " rows of output '" + spec.name() + "' do not fit its tensor " + out);
    }
    long[] shape = spec.shape();
    shape[0] = rows;
    out.reshape(shape);
    Sink sink = sink(out);
    double[] sums = new double[width];
    for (int r = 0; r < rows; r++) {
      Arrays.fill(sums, 0);
      int p = 0;
      for (int i = 0; i < readers.size(); i++) {
        int w = widths.get(i);
        for (int j = 0; j < w; j++) {
          sums[p++ % width] += readers.get(i).applyAsDouble(r * w + j);
        }
      }
      for (int k = 0; k < width; k++) {
        sink.put(r * width + k, sums[k]);
      }
    }
  }

  private static IntToDoubleFunction reader(Tensor t) {
    return switch (t.type()) {
      case FLOAT -> t.asFloatBuffer()::get;
      case DOUBLE -> t.asDoubleBuffer()::get;
      case INT64 -> t.asLongBuffer()::get;
      case INT32 -> t.asIntBuffer()::get;
      case INT8, BOOL -> t.asByteBuffer()::get;
      case UINT8 -> {
        var b = t.asByteBuffer();
        yield i -> Byte.toUnsignedInt(b.get(i));
      }
      case STRING -> {
        String[] s = t.strings();
        yield i -> s[i].length();
      }
      case FLOAT16, OTHER -> throw new AssertionError("FakeRunner takes no " + t.type() + " input");
    };
  }

  private interface Sink {
    void put(int index, double value);
  }

  private static Sink sink(Tensor t) {
    return switch (t.type()) {
      case FLOAT -> {
        var b = t.asFloatBuffer();
        yield (i, v) -> b.put(i, (float) v);
      }
      case DOUBLE -> t.asDoubleBuffer()::put;
      case INT64 -> {
        var b = t.asLongBuffer();
        yield (i, v) -> b.put(i, Math.round(v));
      }
      case INT32 -> {
        var b = t.asIntBuffer();
        yield (i, v) -> b.put(i, (int) Math.round(v));
      }
      case INT8, UINT8 -> {
        var b = t.asByteBuffer();
        yield (i, v) -> b.put(i, (byte) Math.round(v));
      }
      case BOOL -> {
        var b = t.asByteBuffer();
        yield (i, v) -> b.put(i, (byte) (v != 0 ? 1 : 0));
      }
      case STRING -> {
        String[] s = t.strings();
        yield (i, v) -> s[i] = Double.toString(v);
      }
      case FLOAT16, OTHER ->
          throw new AssertionError("FakeRunner writes no " + t.type() + " output");
    };
  }

  /** The calls so far, in order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The rows of each call so far, in order. */
  public synchronized List<Integer> batches() {
    return calls.stream().map(Call::rows).toList();
  }

  /** The input tensors of the last call (the caller's own objects). */
  public Map<String, Tensor> lastInputs() {
    return lastInputs;
  }

  public boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) {
      throw new AssertionError("closed twice");
    }
    closed = true;
  }
}
