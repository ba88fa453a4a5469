package dev.inferlake.executors.internal;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Runner} over a TorchScript module in DJL's PyTorch engine (libtorch). Inputs go to
 * {@code forward} in signature order, as NDArrays made from the input tensors' direct memory (each
 * element type as its DJL {@link DataType}); each wanted output is the returned tensor or tuple
 * element the signature names, copied once into the caller's tensor. DJL runs offline: its native
 * libraries come from the {@code pytorch-native-cpu} and {@code pytorch-jni} jars on the classpath
 * and nothing is downloaded. Thread-safe: the module is only read, and each call works in an
 * NDManager of its own.
 */
public final class DjlRunner implements Runner {
  private static final Logger LOG = LoggerFactory.getLogger(DjlRunner.class);

  /** The artifacts the engine needs, as messages name them. */
  public static final String NATIVE_ARTIFACTS =
      "ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64 and"
          + " ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0";

  private final Model model;
  private final Block block;
  private final ModelSignature signature;
  private final String label;

  private DjlRunner(Model model, ModelSignature sig, String label) {
    this.model = model;
    this.block = model.getBlock();
    this.signature = sig;
    this.label = label;
  }

  /**
   * Loads a TorchScript module from its bytes, in memory: no file holds them at any time, so a
   * decrypted model stays in this JVM and libtorch. The bytes are not kept.
   *
   * @param sig the model's signature (from its manifest)
   * @param label {@code name:version}, for messages
   * @throws dev.inferlake.model.InferlakeException MODEL when the engine cannot start (naming the
   *     artifacts it needs) or the module does not load
   */
  public static DjlRunner load(byte[] bytes, ModelSignature sig, String label, RunnerOptions o) {
    Engine engine = engine(label, o.intraOpThreads());
    if (o.device() != Device.CPU) {
      String why = "the PyTorch engine here is the CPU build (" + NATIVE_ARTIFACTS + ")";
      if (o.device() == Device.GPU_REQUIRED) {
        throw ScoringErrors.gpuUnavailable(label, why);
      }
      LOG.warn("model '{}' falls back to CPU: {}", label, why);
    }
    Model m = null;
    try {
      m = Model.newInstance(label, ai.djl.Device.cpu(), engine.getEngineName());
      // libtorch reads the module from the stream into its own memory: the (possibly decrypted)
      // bytes never reach a file, even for the moment it takes to load them
      try {
        m.load(new ByteArrayInputStream(bytes), Map.of());
      } finally {
        forgetEmptyModelDir(m);
      }
      m.getBlock().freezeParameters(true); // as DJL does for a module it loads from a file
      LOG.info("model '{}' loaded in {} {}", label, engine.getEngineName(), engine.getVersion());
      return new DjlRunner(m, sig, label);
    } catch (IOException | ai.djl.MalformedModelException | RuntimeException e) {
      if (m != null) {
        try {
          m.close();
        } catch (RuntimeException c) {
          e.addSuppressed(c);
        }
      }
      if (e instanceof dev.inferlake.model.InferlakeException ie) {
        throw ie;
      }
      throw ScoringErrors.torchFailure(label, "load", e);
    }
  }

  /**
   * Removes the folder DJL names as the model's directory when it loads from a stream: it is made
   * empty and only marked for deletion at JVM exit, which an executor that is killed never reaches.
   */
  private static void forgetEmptyModelDir(Model m) {
    Path dir = m.getModelPath();
    try {
      if (dir != null && Files.isDirectory(dir)) {
        Files.deleteIfExists(dir); // fails, and is kept, if DJL ever writes there
      }
    } catch (IOException e) {
      LOG.debug("kept DJL's model folder {}: {}", dir, e.toString());
    }
  }

  /** The PyTorch engine, started offline with the given intra-op threads on first use. */
  static synchronized Engine engine(String label, int threads) {
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    try {
      return Engine.getEngine("PyTorch");
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw ScoringErrors.torchUnavailable(label, NATIVE_ARTIFACTS, e);
    }
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public void run(Map<String, Tensor> inputs, int rows, Map<String, Tensor> outputs) {
    SignatureCheck.inputs(signature, inputs, rows);
    for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
      SignatureCheck.output(signature, e.getKey(), e.getValue());
    }
    try (NDManager m = model.getNDManager().newSubManager()) {
      NDList in = new NDList();
      for (TensorSpec spec : signature.inputs()) {
        in.add(array(m, inputs.get(spec.name())));
      }
      NDList result = block.forward(new ParameterStore(m, false), in, false);
      for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
        TensorSpec spec = signature.output(e.getKey()).orElseThrow();
        copy(result.get(signature.outputs().indexOf(spec)), spec, e.getValue(), rows);
      }
    } catch (RuntimeException e) {
      if (e instanceof dev.inferlake.model.InferlakeException ie) {
        throw ie;
      }
      throw ScoringErrors.torchFailure(label, "run a batch of " + rows + " rows with", e);
    }
  }

  /**
   * An NDArray over a tensor's current elements, made from its direct memory (strings are copied).
   */
  private static NDArray array(NDManager m, Tensor t) {
    Shape shape = new Shape(t.shape());
    return switch (t.type()) {
      case STRING -> m.create(Arrays.copyOf(t.strings(), t.size()), StandardCharsets.UTF_8, shape);
      case FLOAT, DOUBLE, INT64, INT32, INT8, UINT8, BOOL, FLOAT16 ->
          m.create(t.bytes(), shape, dataType(t.type()));
      case OTHER -> throw new IllegalArgumentException("no PyTorch tensor holds type other");
    };
  }

  static DataType dataType(ElementType type) {
    return switch (type) {
      case FLOAT -> DataType.FLOAT32;
      case DOUBLE -> DataType.FLOAT64;
      case INT64 -> DataType.INT64;
      case INT32 -> DataType.INT32;
      case INT8 -> DataType.INT8;
      case UINT8 -> DataType.UINT8;
      case BOOL -> DataType.BOOLEAN;
      case FLOAT16 -> DataType.FLOAT16;
      case STRING -> DataType.STRING;
      case OTHER -> DataType.UNKNOWN;
    };
  }

  /** Copies one output of the module into the caller's tensor: one copy, no boxing. */
  private static void copy(NDArray from, TensorSpec spec, Tensor to, int rows) {
    long[] shape = from.getShape().getShape();
    long[] fixed = SignatureCheck.fixedShape(spec, rows);
    boolean fits =
        from.getDataType() == dataType(spec.type())
            && (fixed != null
                ? from.size() == rows * spec.elementsPerRow() // read in the signature's shape
                : shape.length > 0 && shape[0] == rows);
    if (!fits) {
      throw new IllegalStateException(
          "output '"
              + spec.name()
              + "' came back as "
              + from.getDataType()
              + Arrays.toString(shape)
              + ", not "
              + spec
              + " for "
              + rows
              + " rows");
    }
    to.reshape(fixed != null ? fixed : shape);
    if (spec.type() == ElementType.STRING) {
      String[] values = from.toStringArray(StandardCharsets.UTF_8);
      System.arraycopy(values, 0, to.strings(), 0, values.length);
    } else {
      to.bytes().put(from.toByteBuffer(true));
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
