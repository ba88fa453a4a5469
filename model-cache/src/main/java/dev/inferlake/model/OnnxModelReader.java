package dev.inferlake.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads what the driver needs to know about an ONNX model from its protobuf, without creating an
 * ONNX Runtime session (which would load weights and native code on the driver just to learn input
 * names).
 */
public final class OnnxModelReader {
  private OnnxModelReader() {}

  /**
   * Parses the model's graph inputs (excluding initializers, which older exporters also list as
   * inputs) and outputs.
   *
   * @param model the serialized {@code ModelProto}
   * @param what a description of the model for error messages, e.g. {@code "model 'churn:v1'
   *     (file:/m.onnx)"}
   * @throws InferlakeException of kind {@link ErrorKind#MODEL} when the bytes are not an ONNX model
   */
  public static ModelSignature signature(byte[] model, String what) {
    OnnxMl.ModelProto proto;
    try {
      proto = OnnxMl.ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      throw ModelErrors.notOnnx(what, e);
    }
    if (!proto.hasGraph() || proto.getGraph().getOutputCount() == 0) {
      throw ModelErrors.noGraphOutputs(what);
    }
    OnnxMl.GraphProto graph = proto.getGraph();
    Set<String> initializers = new HashSet<>();
    graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
    List<TensorSpec> inputs = new ArrayList<>();
    for (OnnxMl.ValueInfoProto v : graph.getInputList()) {
      if (!initializers.contains(v.getName())) {
        inputs.add(toSpec(v));
      }
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (OnnxMl.ValueInfoProto v : graph.getOutputList()) {
      outputs.add(toSpec(v));
    }
    return new ModelSignature(inputs, outputs);
  }

  private static TensorSpec toSpec(OnnxMl.ValueInfoProto v) {
    if (!v.getType().hasTensorType()) {
      // Sequences and maps (e.g. ZipMap outputs): typed OTHER, rank unknown.
      return new TensorSpec(v.getName(), ElementType.OTHER, new long[0]);
    }
    OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
    List<OnnxMl.TensorShapeProto.Dimension> dims = t.getShape().getDimList();
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
    }
    return new TensorSpec(v.getName(), ElementType.fromOnnx(t.getElemType()), shape);
  }
}
