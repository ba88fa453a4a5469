package dev.inferlake.executors.internal;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Runner} over a TorchScript module in DJL's PyTorch engine (libtorch). Inputs go to
 * {@code forward} in signature order; the output is the returned tensor or tuple element named by
 * the signature. DJL runs offline: its native libraries come from the {@code pytorch-native-cpu}
 * and {@code pytorch-jni} jars on the classpath and nothing is downloaded. Thread-safe: the module
 * is only read, and each call works in an NDManager of its own.
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
  private final Path folder;

  private DjlRunner(Model model, ModelSignature sig, String label, Path folder) {
    this.model = model;
    this.block = model.getBlock();
    this.signature = sig;
    this.label = label;
    this.folder = folder;
  }

  /**
   * Loads a TorchScript module from its bytes.
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
    Path dir = null;
    try {
      dir = Files.createTempDirectory("inferlake-torchscript-");
      Files.write(dir.resolve("model.pt"), bytes);
      Model m = Model.newInstance(label, ai.djl.Device.cpu(), engine.getEngineName());
      try {
        m.load(dir, "model");
      } catch (Exception e) {
        m.close();
        throw e;
      }
      LOG.info("model '{}' loaded in {} {}", label, engine.getEngineName(), engine.getVersion());
      return new DjlRunner(m, sig, label, dir);
    } catch (IOException | ai.djl.MalformedModelException | RuntimeException e) {
      TempFolders.deleteQuietly(dir);
      if (e instanceof dev.inferlake.model.InferlakeException ie) {
        throw ie;
      }
      throw ScoringErrors.torchFailure(label, "load", e);
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
  public int run(Map<String, FloatBuffer> inputs, int rows, String outputName, FloatBuffer out) {
    int index = signature.outputs().indexOf(signature.output(outputName).orElseThrow());
    TensorSpec outSpec = signature.outputs().get(index);
    int width = (int) outSpec.elementsPerRow();
    try (NDManager m = model.getNDManager().newSubManager()) {
      NDList in = new NDList();
      for (TensorSpec spec : signature.inputs()) {
        FloatBuffer buf = inputs.get(spec.name());
        if (buf == null) {
          throw new IllegalArgumentException("no input " + spec.name());
        }
        int n = Math.multiplyExact(rows, (int) spec.elementsPerRow());
        long[] shape = spec.shape().clone();
        shape[0] = rows;
        in.add(m.create(buf.duplicate().position(0).limit(n).slice(), new Shape(shape)));
      }
      NDList result = block.forward(new ParameterStore(m, false), in, false);
      NDArray o = result.get(index);
      float[] values = o.toFloatArray();
      if (values.length != rows * width) {
        throw new IllegalStateException(
            "output '" + outputName + "' has " + values.length + " values, not " + rows * width);
      }
      out.duplicate().position(0).put(values);
      return width;
    } catch (RuntimeException e) {
      if (e instanceof dev.inferlake.model.InferlakeException ie) {
        throw ie;
      }
      throw ScoringErrors.torchFailure(label, "run a batch of " + rows + " rows with", e);
    }
  }

  @Override
  public void close() {
    model.close();
    TempFolders.deleteQuietly(folder);
  }
}
