package dev.inferlake.model.testing;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A small ONNX model with several outputs of several element types, built in Java for tests, with
 * its weights kept so a test computes the expected outputs without ONNX Runtime. Input {@code
 * input} float[-1, features]; the outputs a version exposes are chosen when it is written:
 *
 * <ul>
 *   <li>{@code logits} float[-1, classes] = x W1 + b1
 *   <li>{@code embedding} float[-1, dim] = x W2 + b2 (float64 when asked: a type change)
 *   <li>{@code score} float[-1, 1] = x w3 + b3
 *   <li>{@code top} int64[-1] = arg max of the logits
 *   <li>{@code positive} bool[-1, classes] = logits &gt; 0
 * </ul>
 */
public record MultiOutputModel(
    int features,
    int classes,
    int dim,
    float[][] w1,
    float[] b1,
    float[][] w2,
    float[] b2,
    float[][] w3,
    float[] b3) {

  /** A model with seeded random weights. */
  public static MultiOutputModel random(int features, int classes, int dim, long seed) {
    Random r = new Random(seed);
    return new MultiOutputModel(
        features,
        classes,
        dim,
        matrix(r, features, classes),
        vector(r, classes),
        matrix(r, features, dim),
        vector(r, dim),
        matrix(r, features, 1),
        vector(r, 1));
  }

  private static float[][] matrix(Random r, int rows, int cols) {
    float[][] m = new float[rows][cols];
    for (float[] row : m) {
      for (int c = 0; c < cols; c++) {
        row[c] = (float) r.nextGaussian();
      }
    }
    return m;
  }

  private static float[] vector(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (0.1 * r.nextGaussian());
    }
    return v;
  }

  /**
   * Serialized ONNX {@code ModelProto} (opset 13) exposing {@code outputs}, in that order.
   *
   * @param embeddingAsDouble the {@code embedding} output is float64 instead of float32
   */
  public byte[] onnxBytes(List<String> outputs, boolean embeddingAsDouble) {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("multi-output-test");
    g.addInput(info("input", OnnxMl.TensorProto.DataType.FLOAT, features));
    g.addInitializer(tensor("W1", w1));
    g.addInitializer(tensor("b1", new float[][] {b1}, classes));
    g.addInitializer(tensor("W2", w2));
    g.addInitializer(tensor("b2", new float[][] {b2}, dim));
    g.addInitializer(tensor("W3", w3));
    g.addInitializer(tensor("b3", new float[][] {b3}, 1));
    g.addInitializer(
        OnnxMl.TensorProto.newBuilder()
            .setName("zero")
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
            .addFloatData(0f));
    g.addNode(node("Gemm", List.of("input", "W1", "b1"), "logits"));
    if (embeddingAsDouble) {
      g.addNode(node("Gemm", List.of("input", "W2", "b2"), "embedding_f"));
      g.addNode(
          node("Cast", List.of("embedding_f"), "embedding")
              .addAttribute(
                  OnnxMl.AttributeProto.newBuilder()
                      .setName("to")
                      .setType(OnnxMl.AttributeProto.AttributeType.INT)
                      .setI(OnnxMl.TensorProto.DataType.DOUBLE_VALUE)));
    } else {
      g.addNode(node("Gemm", List.of("input", "W2", "b2"), "embedding"));
    }
    g.addNode(node("Gemm", List.of("input", "W3", "b3"), "score"));
    g.addNode(
        node("ArgMax", List.of("logits"), "top")
            .addAttribute(intAttribute("axis", 1))
            .addAttribute(intAttribute("keepdims", 0)));
    g.addNode(node("Greater", List.of("logits", "zero"), "positive"));
    for (String o : outputs) {
      g.addOutput(
          switch (o) {
            case "logits" -> info(o, OnnxMl.TensorProto.DataType.FLOAT, classes);
            case "embedding" ->
                info(
                    o,
                    embeddingAsDouble
                        ? OnnxMl.TensorProto.DataType.DOUBLE
                        : OnnxMl.TensorProto.DataType.FLOAT,
                    dim);
            case "score" -> info(o, OnnxMl.TensorProto.DataType.FLOAT, 1);
            case "top" -> info(o, OnnxMl.TensorProto.DataType.INT64);
            case "positive" -> info(o, OnnxMl.TensorProto.DataType.BOOL, classes);
            default -> throw new IllegalArgumentException("no output " + o);
          });
    }
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("inferlake-tests")
        .setGraph(g)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13))
        .build()
        .toByteArray();
  }

  /** Writes the version exposing {@code outputs} to {@code dir/fileName}. */
  public Path writeTo(Path dir, String fileName, List<String> outputs, boolean embeddingAsDouble) {
    try {
      Files.createDirectories(dir);
      return Files.write(dir.resolve(fileName), onnxBytes(outputs, embeddingAsDouble));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code logits} for one row, in double precision. */
  public double[] logits(float[] x) {
    return affine(x, w1, b1);
  }

  /** {@code embedding} for one row, in double precision. */
  public double[] embedding(float[] x) {
    return affine(x, w2, b2);
  }

  /** {@code score} for one row, in double precision. */
  public double score(float[] x) {
    return affine(x, w3, b3)[0];
  }

  /** {@code top} for one row: the index of the largest logit. */
  public long top(float[] x) {
    double[] z = logits(x);
    int best = 0;
    for (int c = 1; c < z.length; c++) {
      best = z[c] > z[best] ? c : best;
    }
    return best;
  }

  private static double[] affine(float[] x, float[][] w, float[] b) {
    double[] z = new double[b.length];
    for (int c = 0; c < b.length; c++) {
      double s = b[c];
      for (int f = 0; f < x.length; f++) {
        s += (double) x[f] * w[f][c];
      }
      z[c] = s;
    }
    return z;
  }

  private static OnnxMl.NodeProto.Builder node(String op, List<String> inputs, String output) {
    return OnnxMl.NodeProto.newBuilder()
        .setOpType(op)
        .setName(output + "_" + op)
        .addAllInput(inputs)
        .addOutput(output);
  }

  private static OnnxMl.AttributeProto intAttribute(String name, long value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  /** A tensor value info of shape [batch, dims...]. */
  private static OnnxMl.ValueInfoProto info(
      String name, OnnxMl.TensorProto.DataType type, int... dims) {
    OnnxMl.TensorShapeProto.Builder shape =
        OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
    for (int d : dims) {
      shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(type.getNumber())
                        .setShape(shape)))
        .build();
  }

  /** A float initializer; a single row given with {@code cols} becomes a 1-D tensor. */
  private static OnnxMl.TensorProto tensor(String name, float[][] m, int... cols) {
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE);
    if (cols.length == 1) {
      t.addDims(cols[0]);
    } else {
      t.addDims(m.length).addDims(m[0].length);
    }
    for (float[] row : m) {
      for (float v : row) {
        t.addFloatData(v);
      }
    }
    return t.build();
  }
}
