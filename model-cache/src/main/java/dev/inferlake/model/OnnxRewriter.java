package dev.inferlake.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.inferlake.model.internal.Fp16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the weights of an ONNX graph in place of the protobuf: int8 quantization (as dequantized
 * weights, or as integer matrix kernels), half precision, and magnitude pruning. Only the top-level
 * graph is rewritten; weights inside subgraphs (If, Loop, Scan) stay as they are.
 *
 * <p>A "matrix weight" is a float initializer of rank 2 or more that feeds the second input of a
 * MatMul, Gemm or Conv node and is not also a graph input (a graph input may be overridden at run
 * time, so its value is not the model's to change).
 */
final class OnnxRewriter {
  /** Float initializers smaller than this stay float under fp16: scalars and tiny constants. */
  public static final int FP16_MIN_ELEMENTS = 16;

  private static final float FP16_MAX = 65504f;
  private static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
  private static final int FLOAT16 = TensorProto.DataType.FLOAT16.getNumber();
  private static final int INT8 = TensorProto.DataType.INT8.getNumber();

  /**
   * The rewritten model and what was done.
   *
   * @param model the rewritten ONNX model
   * @param parameters what the manifest records: the method's parameters, granularity, counts
   * @param tensors weight tensors rewritten
   * @param weights values in those tensors
   * @param left weights or nodes the method left as they were, each with the reason
   */
  public record Result(
      byte[] model, Map<String, String> parameters, int tensors, long weights, List<String> left) {}

  private final String what;
  private final CompressionMethod method;
  private final OnnxMl.ModelProto model;
  private final OnnxMl.GraphProto.Builder graph;
  private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
  private final Set<String> graphInputs = new HashSet<>();
  private final Set<String> names = new HashSet<>();
  private final long opset;
  private final List<String> left = new ArrayList<>();
  private int tensors;
  private long weights;

  private OnnxRewriter(byte[] raw, CompressionMethod method, String what) {
    this.what = what;
    this.method = method;
    try {
      this.model = OnnxMl.ModelProto.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw ModelErrors.corrupt(what, "it is not an ONNX model", e);
    }
    this.graph = model.getGraph().toBuilder();
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
      names.add(t.getName());
    }
    for (OnnxMl.ValueInfoProto v : graph.getInputList()) {
      graphInputs.add(v.getName());
      names.add(v.getName());
    }
    for (NodeProto n : graph.getNodeList()) {
      names.addAll(n.getInputList());
      names.addAll(n.getOutputList());
      names.add(n.getName());
    }
    long v = -1;
    for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        v = o.getVersion();
      }
    }
    this.opset = v;
  }

  /**
   * Rewrites a model.
   *
   * @param what the model, as messages name it
   * @throws InferlakeException MODEL when the model holds nothing the method can rewrite, keeps
   *     weights in external files, or needs a newer opset
   */
  public static Result rewrite(byte[] raw, CompressionMethod method, String what) {
    return new OnnxRewriter(raw, method, what).run();
  }

  private Result run() {
    Map<String, String> params = new LinkedHashMap<>(method.parameters());
    switch (method.kind()) {
      case INT8_WEIGHTS -> params.put("granularity", int8Weights());
      case INT8_DYNAMIC -> int8Dynamic();
      case FP16 -> fp16();
      case PRUNE -> prune();
    }
    dropOrphans();
    if (tensors == 0) {
      throw ModelErrors.nothingToCompress(
          what,
          method.spec(),
          left.isEmpty()
              ? "no float weight feeds a MatMul, Gemm or Conv"
              : String.join("; ", left.subList(0, Math.min(3, left.size()))));
    }
    params.put("tensors_rewritten", Integer.toString(tensors));
    params.put("weights_rewritten", Long.toString(weights));
    if (!left.isEmpty()) {
      params.put("left_as_is", Integer.toString(left.size()));
    }
    OnnxMl.ModelProto.Builder out = model.toBuilder().setGraph(graph);
    out.addMetadataProps(
        OnnxMl.StringStringEntryProto.newBuilder()
            .setKey("inferlake.compression")
            .setValue(method.spec()));
    return new Result(out.build().toByteArray(), params, tensors, weights, List.copyOf(left));
  }

  // ---- int8-weights: int8 initializer -> DequantizeLinear -> the weight's old name

  private String int8Weights() {
    if (opset < 10) {
      throw ModelErrors.cannotCompress(
          what, method.spec(), "DequantizeLinear needs opset 10 or later; the model uses " + opset);
    }
    boolean perChannel = opset >= 13;
    List<NodeProto> dq = new ArrayList<>();
    for (Map.Entry<String, Integer> w : matrixWeights().entrySet()) {
      TensorProto t = initializers.get(w.getKey());
      long[] dims = dims(t);
      int axis = perChannel ? w.getValue() : -1;
      Quantized q = quantize(floats(t), dims, axis, method.weightBits());
      String base = w.getKey();
      String qName = fresh(base + "_int8");
      String sName = fresh(base + "_scale");
      String zName = fresh(base + "_zero_point");
      long[] scaleDims = axis < 0 ? new long[0] : new long[] {dims[axis]};
      replaceInitializer(base, int8Tensor(qName, dims, q.values));
      addInitializer(floatTensor(sName, scaleDims, q.scales));
      addInitializer(int8Tensor(zName, scaleDims, new byte[q.scales.length]));
      NodeProto.Builder n =
          NodeProto.newBuilder()
              .setOpType("DequantizeLinear")
              .setName(fresh(base + "_dequantize"))
              .addInput(qName)
              .addInput(sName)
              .addInput(zName)
              .addOutput(base);
      if (axis >= 0) {
        n.addAttribute(intAttr("axis", axis));
      }
      dq.add(n.build());
      count(q.values.length);
    }
    prependNodes(dq);
    return perChannel ? "per-channel" : "per-tensor (opset " + opset + " < 13)";
  }

  // ---- int8-dynamic: DynamicQuantizeLinear + MatMulInteger + Cast + Mul (+ Add)

  private void int8Dynamic() {
    if (opset < 11) {
      throw ModelErrors.cannotCompress(
          what,
          method.spec(),
          "DynamicQuantizeLinear needs opset 11 or later; the model uses " + opset);
    }
    Map<String, Integer> candidates = matrixWeights();
    Map<String, String[]> quantizedInputs = new HashMap<>();
    Map<String, String[]> quantizedWeights = new HashMap<>();
    List<NodeProto> nodes = new ArrayList<>();
    for (NodeProto n : graph.getNodeList()) {
      String why = integerKernelObstacle(n, candidates);
      if (why != null) {
        if (!why.isEmpty()) {
          left.add(why);
        }
        nodes.add(n);
        continue;
      }
      boolean gemm = n.getOpType().equals("Gemm");
      String a = n.getInput(0);
      String b = n.getInput(1);
      boolean transB = gemm && intAttr(n, "transB", 0) == 1;
      float alpha = gemm ? floatAttr(n, "alpha", 1f) : 1f;
      String key = b + (transB ? "|T" : "") + "|" + alpha;
      String[] bq = quantizedWeights.get(key);
      if (bq == null) {
        TensorProto t = initializers.get(b);
        long[] dims = dims(t);
        float[] kn = transB ? transpose(floats(t), dims[0], dims[1]) : floats(t);
        long k = transB ? dims[1] : dims[0];
        long cols = transB ? dims[0] : dims[1];
        if (alpha != 1f) {
          for (int i = 0; i < kn.length; i++) {
            kn[i] *= alpha;
          }
        }
        Quantized q = quantize(kn, new long[] {k, cols}, 1, method.weightBits());
        bq = new String[] {fresh(b + "_int8"), fresh(b + "_scale")};
        addInitializer(int8Tensor(bq[0], new long[] {k, cols}, q.values));
        addInitializer(floatTensor(bq[1], new long[] {cols}, q.scales));
        quantizedWeights.put(key, bq);
        count(q.values.length);
      }
      String[] aq = quantizedInputs.get(a);
      if (aq == null) {
        aq = new String[] {fresh(a + "_quantized"), fresh(a + "_scale"), fresh(a + "_zero_point")};
        nodes.add(node("DynamicQuantizeLinear", a + "_quantize", List.of(a), List.of(aq)));
        quantizedInputs.put(a, aq);
      }
      String out = n.getOutput(0);
      String base = n.getName().isEmpty() ? out : n.getName();
      String product = fresh(base + "_int32");
      String asFloat = fresh(base + "_float");
      String scale = fresh(base + "_scale");
      boolean bias = gemm && n.getInputCount() > 2 && !n.getInput(2).isEmpty();
      String scaled = bias ? fresh(base + "_scaled") : out;
      nodes.add(
          node("MatMulInteger", base + "_matmul", List.of(aq[0], bq[0], aq[2]), List.of(product)));
      nodes.add(
          node("Cast", base + "_cast", List.of(product), List.of(asFloat)).toBuilder()
              .addAttribute(intAttr("to", FLOAT))
              .build());
      nodes.add(node("Mul", base + "_scales", List.of(aq[1], bq[1]), List.of(scale)));
      nodes.add(node("Mul", base + "_rescale", List.of(asFloat, scale), List.of(scaled)));
      if (bias) {
        nodes.add(node("Add", base + "_bias", List.of(scaled, biasInput(n)), List.of(out)));
      }
    }
    graph.clearNode().addAllNode(nodes);
  }

  /**
   * Why a node cannot run on integer kernels: null when it can, "" when it is not a matrix product
   * over a weight at all (nothing to report).
   */
  private String integerKernelObstacle(NodeProto n, Map<String, Integer> candidates) {
    String op = n.getOpType();
    boolean gemm = op.equals("Gemm");
    if (!(op.equals("MatMul") || gemm) || !n.getDomain().isEmpty()) {
      if (op.equals("Conv") && n.getInputCount() > 1 && candidates.containsKey(n.getInput(1))) {
        return "Conv '" + n.getName() + "' stays float (integer kernels cover MatMul and Gemm)";
      }
      return "";
    }
    if (n.getInputCount() < 2 || !candidates.containsKey(n.getInput(1))) {
      return "";
    }
    if (dims(initializers.get(n.getInput(1))).length != 2) {
      return op + " '" + n.getName() + "' stays float (its weight is not a matrix)";
    }
    if (gemm && intAttr(n, "transA", 0) != 0) {
      return "Gemm '" + n.getName() + "' stays float (transA=1)";
    }
    return null;
  }

  /** A Gemm's bias input, scaled by its {@code beta} (a new initializer, or a Mul node). */
  private String biasInput(NodeProto n) {
    String c = n.getInput(2);
    float beta = floatAttr(n, "beta", 1f);
    if (beta == 1f) {
      return c;
    }
    TensorProto t = initializers.get(c);
    if (t == null || t.getDataType() != FLOAT || graphInputs.contains(c)) {
      throw ModelErrors.cannotCompress(
          what,
          method.spec(),
          "Gemm '" + n.getName() + "' scales a computed bias by beta=" + beta + "; not supported");
    }
    float[] v = floats(t);
    for (int i = 0; i < v.length; i++) {
      v[i] *= beta;
    }
    String name = fresh(c + "_beta");
    addInitializer(floatTensor(name, dims(t), v));
    return name;
  }

  // ---- fp16: float16 initializer -> Cast(to=float) -> the old name

  private void fp16() {
    List<NodeProto> casts = new ArrayList<>();
    for (TensorProto t : List.copyOf(initializers.values())) {
      String name = t.getName();
      if (t.getDataType() != FLOAT || graphInputs.contains(name)) {
        continue;
      }
      checkInline(t);
      float[] v = floats(t);
      if (v.length < FP16_MIN_ELEMENTS) {
        continue;
      }
      float max = 0;
      for (float x : v) {
        max = Math.max(max, Math.abs(x));
      }
      if (!(max <= FP16_MAX)) {
        left.add("'" + name + "' stays float (holds " + max + ", beyond half precision)");
        continue;
      }
      ByteBuffer buf = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) {
        buf.putShort(Fp16.fromFloat(x));
      }
      String half = fresh(name + "_fp16");
      replaceInitializer(
          name,
          TensorProto.newBuilder()
              .setName(half)
              .setDataType(FLOAT16)
              .addAllDims(t.getDimsList())
              .setRawData(ByteString.copyFrom(buf.array()))
              .build());
      casts.add(
          node("Cast", name + "_to_float", List.of(half), List.of(name)).toBuilder()
              .addAttribute(intAttr("to", FLOAT))
              .build());
      count(v.length);
    }
    prependNodes(casts);
  }

  // ---- prune: the smallest |w| of each matrix weight set to zero

  private void prune() {
    for (String name : matrixWeights().keySet()) {
      TensorProto t = initializers.get(name);
      float[] v = floats(t);
      int zeros = (int) Math.floor(method.fraction() * v.length);
      if (zeros == 0) {
        left.add("'" + name + "' stays whole (" + v.length + " values)");
        continue;
      }
      pruneSmallest(v, zeros);
      replaceInitializer(name, floatTensor(name, dims(t), v));
      count(v.length);
    }
  }

  /** Sets the {@code zeros} smallest-magnitude values to 0; ties go to the lower index first. */
  static void pruneSmallest(float[] v, int zeros) {
    float[] mags = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      mags[i] = Math.abs(v[i]);
    }
    Arrays.sort(mags);
    float cut = mags[zeros - 1];
    int below = 0;
    for (float m : mags) {
      if (m < cut) {
        below++;
      } else {
        break;
      }
    }
    int atCut = zeros - below;
    for (int i = 0; i < v.length; i++) {
      float m = Math.abs(v[i]);
      if (m < cut) {
        v[i] = 0f;
      } else if (m == cut && atCut > 0) {
        v[i] = 0f;
        atCut--;
      }
    }
  }

  // ---- shared

  /**
   * The matrix weights, each with the axis that holds its output channels: columns of a MatMul
   * weight or of an untransposed Gemm weight, rows of a transposed one, filters of a Conv weight. A
   * weight whose consumers disagree gets -1 (per-tensor).
   */
  private Map<String, Integer> matrixWeights() {
    Map<String, Integer> axes = new LinkedHashMap<>();
    for (NodeProto n : graph.getNodeList()) {
      if (!n.getDomain().isEmpty() || n.getInputCount() < 2) {
        continue;
      }
      String b = n.getInput(1);
      TensorProto t = initializers.get(b);
      if (t == null || graphInputs.contains(b)) {
        continue;
      }
      int axis;
      switch (n.getOpType()) {
        case "MatMul" -> axis = t.getDimsCount() - 1;
        case "Gemm" -> axis = intAttr(n, "transB", 0) == 1 ? 0 : 1;
        case "Conv" -> axis = 0;
        default -> {
          continue;
        }
      }
      if (t.getDataType() != FLOAT) {
        left.add("'" + b + "' stays as it is (" + typeName(t.getDataType()) + ", not float)");
        continue;
      }
      if (t.getDimsCount() < 2) {
        continue;
      }
      checkInline(t);
      Integer before = axes.putIfAbsent(b, axis);
      if (before != null && before != axis) {
        axes.put(b, -1);
      }
    }
    return axes;
  }

  /** Removes the initializers that a node read before the rewrite and none reads after it. */
  private void dropOrphans() {
    Set<String> read = new HashSet<>();
    for (NodeProto n : graph.getNodeList()) {
      read.addAll(n.getInputList());
    }
    graph.getOutputList().forEach(o -> read.add(o.getName()));
    Set<String> readBefore = new HashSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      readBefore.addAll(n.getInputList());
    }
    for (String name : List.copyOf(initializers.keySet())) {
      if (readBefore.contains(name) && !read.contains(name) && !graphInputs.contains(name)) {
        removeInitializer(name);
      }
    }
  }

  private void checkInline(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw ModelErrors.cannotCompress(
          what,
          method.spec(),
          "tensor '"
              + t.getName()
              + "' lives in an external data file; compress a model with its weights inline");
    }
  }

  private void count(long values) {
    tensors++;
    weights += values;
  }

  /** Symmetric quantization: per slice along {@code axis}, or of the whole tensor when -1. */
  record Quantized(byte[] values, float[] scales) {}

  static Quantized quantize(float[] w, long[] dims, int axis, int bits) {
    int qmax = bits == 8 ? 127 : 63;
    int channels = axis < 0 ? 1 : (int) dims[axis];
    long inner = 1;
    if (axis >= 0) {
      for (int d = axis + 1; d < dims.length; d++) {
        inner *= dims[d];
      }
    }
    float[] max = new float[channels];
    for (int i = 0; i < w.length; i++) {
      int c = axis < 0 ? 0 : (int) ((i / inner) % channels);
      max[c] = Math.max(max[c], Math.abs(w[i]));
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = max[c] > 0 ? max[c] / qmax : 1f;
    }
    byte[] q = new byte[w.length];
    for (int i = 0; i < w.length; i++) {
      int c = axis < 0 ? 0 : (int) ((i / inner) % channels);
      long r = Math.round(w[i] / scales[c]);
      q[i] = (byte) Math.max(-qmax, Math.min(qmax, r));
    }
    return new Quantized(q, scales);
  }

  static float[] transpose(float[] m, long rows, long cols) {
    float[] t = new float[m.length];
    int r = (int) rows;
    int c = (int) cols;
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = m[i * c + j];
      }
    }
    return t;
  }

  /** The values of a float tensor, from raw data or the typed field. */
  public static float[] floats(TensorProto t) {
    if (!t.getRawData().isEmpty()) {
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      float[] v = new float[b.remaining() / 4];
      b.asFloatBuffer().get(v);
      return v;
    }
    float[] v = new float[t.getFloatDataCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  private static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  private static TensorProto floatTensor(String name, long[] dims, float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(FLOAT)
        .addAllDims(Arrays.stream(dims).boxed().toList())
        .setRawData(ByteString.copyFrom(b.array()))
        .build();
  }

  private static TensorProto int8Tensor(String name, long[] dims, byte[] v) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(INT8)
        .addAllDims(Arrays.stream(dims).boxed().toList())
        .setRawData(ByteString.copyFrom(v))
        .build();
  }

  private void replaceInitializer(String old, TensorProto t) {
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      if (graph.getInitializer(i).getName().equals(old)) {
        graph.setInitializer(i, t);
        initializers.remove(old);
        initializers.put(t.getName(), t);
        return;
      }
    }
    throw new IllegalStateException("no initializer " + old);
  }

  private void removeInitializer(String name) {
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      if (graph.getInitializer(i).getName().equals(name)) {
        graph.removeInitializer(i);
        initializers.remove(name);
        return;
      }
    }
  }

  private void addInitializer(TensorProto t) {
    graph.addInitializer(t);
    initializers.put(t.getName(), t);
  }

  private void prependNodes(List<NodeProto> first) {
    List<NodeProto> all = new ArrayList<>(first);
    all.addAll(graph.getNodeList());
    graph.clearNode().addAllNode(all);
  }

  private NodeProto node(String op, String name, List<String> inputs, List<String> outputs) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(fresh(name))
        .addAllInput(inputs)
        .addAllOutput(outputs)
        .build();
  }

  /** A name no tensor or node of the graph has yet. */
  private String fresh(String base) {
    String name = base;
    for (int i = 1; !names.add(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  private static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(v)
        .build();
  }

  private static long intAttr(NodeProto n, String name, long dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  private static float floatAttr(NodeProto n, String name, float dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getF();
      }
    }
    return dflt;
  }

  private static String typeName(int type) {
    TensorProto.DataType t = TensorProto.DataType.forNumber(type);
    return t == null ? "type " + type : t.name().toLowerCase(Locale.ROOT);
  }
}
