package dev.inferlake.executors.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtUtil;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.OnnxModelReader;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Runner} over one ONNX Runtime session. Numeric and bool input tensors wrap the caller's
 * direct memory, and outputs of a fixed shape are written by ONNX Runtime straight into the
 * caller's tensors (pinned outputs), so no value is copied through the Java heap. String tensors,
 * and outputs whose shape only the model knows, are copied once. Thread-safe: {@code
 * OrtSession.run} is.
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
  public void run(Map<String, Tensor> inputs, int rows, Map<String, Tensor> outputs) {
    SignatureCheck.inputs(signature, inputs, rows);
    Map<String, OnnxTensor> in = new HashMap<>();
    Map<String, OnnxTensor> pinned = new HashMap<>();
    Set<String> fetched = new HashSet<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        in.put(e.getKey(), wrap(env, e.getValue()));
      }
      for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
        Tensor out = e.getValue();
        long[] shape =
            SignatureCheck.fixedShape(SignatureCheck.output(signature, e.getKey(), out), rows);
        if (shape != null && out.type() != ElementType.STRING) {
          // ONNX Runtime writes this output straight into the caller's memory.
          pinned.put(e.getKey(), wrap(env, out.reshape(shape)));
        } else {
          fetched.add(e.getKey());
        }
      }
      try (OrtSession.Result result = session.run(in, fetched, pinned)) {
        for (String name : fetched) {
          copy((OnnxTensor) result.get(name).orElseThrow(), outputs.get(name), name, rows);
        }
      }
    } catch (OrtException e) {
      throw ScoringErrors.engineFailure(model, "run a batch of " + rows + " rows with", e);
    } finally {
      in.values().forEach(OnnxTensor::close);
      pinned.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * An ONNX Runtime tensor over a tensor's current elements: numeric and bool tensors share its
   * direct memory (no copy); strings are copied, as ONNX Runtime keeps its own.
   */
  static OnnxTensor wrap(OrtEnvironment env, Tensor t) throws OrtException {
    long[] shape = t.shape();
    return switch (t.type()) {
      case FLOAT -> OnnxTensor.createTensor(env, t.asFloatBuffer(), shape);
      case DOUBLE -> OnnxTensor.createTensor(env, t.asDoubleBuffer(), shape);
      case INT64 -> OnnxTensor.createTensor(env, t.asLongBuffer(), shape);
      case INT32 -> OnnxTensor.createTensor(env, t.asIntBuffer(), shape);
      case INT8 -> OnnxTensor.createTensor(env, t.asByteBuffer(), shape, OnnxJavaType.INT8);
      case UINT8 -> OnnxTensor.createTensor(env, t.asByteBuffer(), shape, OnnxJavaType.UINT8);
      case BOOL -> OnnxTensor.createTensor(env, t.asByteBuffer(), shape, OnnxJavaType.BOOL);
      case FLOAT16 -> OnnxTensor.createTensor(env, t.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
      case STRING -> OnnxTensor.createTensor(env, Arrays.copyOf(t.strings(), t.size()), shape);
      case OTHER -> throw new IllegalArgumentException("no ONNX tensor holds type other");
    };
  }

  /** Copies an output ONNX Runtime allocated (its shape was not known before) into the caller's. */
  private void copy(OnnxTensor from, Tensor to, String name, int rows) throws OrtException {
    long[] shape = from.getInfo().getShape();
    if (shape.length == 0 || shape[0] != rows || from.getInfo().getNumElements() > to.capacity()) {
      throw ScoringErrors.engineFailure(
          model,
          "run a batch of " + rows + " rows with",
          new IllegalStateException(
              "output '"
                  + name
                  + "' came back shaped "
                  + Arrays.toString(shape)
                  + ", which does not fit its tensor "
                  + to));
    }
    to.reshape(shape);
    if (to.type() == ElementType.STRING) {
      String[] values = OrtUtil.flattenString(from.getValue());
      System.arraycopy(values, 0, to.strings(), 0, values.length);
    } else {
      to.bytes().put(from.getByteBuffer());
    }
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
