package dev.inferlake.executors.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.OnnxModelReader;
import dev.inferlake.model.TensorSpec;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Runner} over one ONNX Runtime session. Input tensors wrap the caller's direct buffers
 * and the output is written by ONNX Runtime straight into the caller's buffer (a pinned output), so
 * no value is copied through the Java heap. Thread-safe: {@code OrtSession.run} is.
 */
public final class OnnxRunner implements Runner {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxRunner.class);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelSignature signature;
  private final String model;
  private final String device;

  private OnnxRunner(
      OrtEnvironment env, OrtSession session, ModelSignature sig, String model, String device) {
    this.env = env;
    this.session = session;
    this.signature = sig;
    this.model = model;
    this.device = device;
  }

  /**
   * Creates a session from model bytes.
   *
   * @param model {@code name:version}, for messages
   */
  public static OnnxRunner load(byte[] bytes, String model, RunnerOptions options) {
    return load(
        bytes, null, OnnxModelReader.signature(bytes, "model '" + model + "'"), model, options);
  }

  /**
   * Creates a session from a model file; external data files are found beside it.
   *
   * @param sig the model's signature (from its manifest)
   */
  public static OnnxRunner load(
      java.nio.file.Path file, ModelSignature sig, String model, RunnerOptions options) {
    return load(null, file, sig, model, options);
  }

  private static OnnxRunner load(
      byte[] bytes,
      java.nio.file.Path file,
      ModelSignature sig,
      String model,
      RunnerOptions options) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(1);
      so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      String device = "cpu";
      if (options.device() != Device.CPU) {
        device = addGpu(so, model, options.device());
      }
      OrtSession session =
          bytes != null ? env.createSession(bytes, so) : env.createSession(file.toString(), so);
      return new OnnxRunner(env, session, sig, model, device);
    } catch (OrtException e) {
      throw ScoringErrors.engineFailure(model, "load", e);
    }
  }

  /** Adds the CUDA provider when it can; returns the device the session will run on. */
  private static String addGpu(OrtSession.SessionOptions so, String model, Device device) {
    int gpu = assignedGpu();
    String problem = null;
    if (gpu < 0) {
      problem = "Spark assigned no GPU to this task (spark.task.resource.gpu.amount)";
    } else {
      try {
        so.addCUDA(gpu);
        LOG.info("model '{}' runs on GPU {}", model, gpu);
        return "cuda:" + gpu;
      } catch (OrtException | UnsatisfiedLinkError e) {
        problem = "the CUDA execution provider could not be loaded: " + e.getMessage();
      }
    }
    if (device == Device.GPU_REQUIRED) {
      throw ScoringErrors.gpuUnavailable(model, problem);
    }
    LOG.warn("model '{}' falls back to CPU: {}", model, problem);
    return "cpu";
  }

  /** The first GPU address Spark assigned to the running task, or -1. */
  static int assignedGpu() {
    TaskContext tc = TaskContext.get();
    return tc == null ? -1 : gpuAddress(tc.resourcesJMap());
  }

  /**
   * The CUDA device of a task's resources: the first address of its {@code gpu} resource (Spark
   * gives addresses as strings, e.g. "0"); -1 when it has none.
   */
  static int gpuAddress(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources.get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return -1;
    }
    try {
      return Integer.parseInt(gpu.addresses()[0].trim());
    } catch (NumberFormatException e) {
      LOG.warn(
          "GPU address '{}' is not a CUDA device number; treating as none", gpu.addresses()[0]);
      return -1;
    }
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public int run(Map<String, FloatBuffer> inputs, int rows, String outputName, FloatBuffer out) {
    TensorSpec outSpec =
        signature
            .output(outputName)
            .orElseThrow(() -> new IllegalArgumentException("no output " + outputName));
    int width = (int) outSpec.elementsPerRow();
    Map<String, OnnxTensor> tensors = new HashMap<>();
    try {
      for (Map.Entry<String, FloatBuffer> e : inputs.entrySet()) {
        TensorSpec spec =
            signature
                .input(e.getKey())
                .orElseThrow(() -> new IllegalArgumentException("no input " + e.getKey()));
        tensors.put(
            e.getKey(),
            OnnxTensor.createTensor(env, window(e.getValue(), rows, spec), batchShape(spec, rows)));
      }
      try (OnnxTensor pinned =
              OnnxTensor.createTensor(env, window(out, rows, outSpec), batchShape(outSpec, rows));
          OrtSession.Result ignored = session.run(tensors, Set.of(), Map.of(outputName, pinned))) {
        return width;
      }
    } catch (OrtException e) {
      throw ScoringErrors.engineFailure(model, "run a batch of " + rows + " rows with", e);
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  /** A view of the first {@code rows} examples of a direct buffer; shares its memory. */
  private static FloatBuffer window(FloatBuffer buffer, int rows, TensorSpec spec) {
    int n = Math.multiplyExact(rows, (int) spec.elementsPerRow());
    return buffer.duplicate().position(0).limit(n).slice();
  }

  private static long[] batchShape(TensorSpec spec, int rows) {
    long[] shape = spec.shape();
    shape[0] = rows;
    return shape;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw ScoringErrors.engineFailure(model, "close", e);
    }
  }
}
