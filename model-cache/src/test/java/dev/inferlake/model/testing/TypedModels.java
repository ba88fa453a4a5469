package dev.inferlake.model.testing;

import ai.onnx.proto.OnnxMl;
import dev.inferlake.model.ElementType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small ONNX models with inputs of every element type, built node by node in Java for tests, with
 * what they compute spelled out so a test can check their outputs without ONNX Runtime.
 */
public final class TypedModels {
  private TypedModels() {}

  /**
   * {@code y = Cast<float>(x)}: input {@code x} of {@code type[-1, dims...]}, output {@code y}
   * {@code float[-1, prod(dims)]} (flattened), so a float output shows exactly what went in.
   */
  public static byte[] castToFloat(ElementType type, long... dims) {
    OnnxMl.GraphProto.Builder g =
        OnnxMl.GraphProto.newBuilder()
            .setName("cast-" + type.lowerName())
            .addInput(value("x", type, dims));
    long width = 1;
    for (long d : dims) {
      width *= d;
    }
    g.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("Cast")
            .addInput("x")
            .addOutput("cast")
            .addAttribute(intAttribute("to", OnnxMl.TensorProto.DataType.FLOAT_VALUE)));
    g.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("Flatten")
            .addInput("cast")
            .addOutput("y")
            .addAttribute(intAttribute("axis", 1)));
    g.addOutput(value("y", ElementType.FLOAT, width));
    return model(g);
  }

  /**
   * A recommendation-style classifier: an int64 id looked up in an embedding table ({@code Gather},
   * which fails the whole batch on an id outside the table), plus float features, then softmax.
   * Inputs {@code ids} int64[-1, 1] and {@code x} float[-1, dim]; output {@code probabilities}
   * float[-1, dim] = softmax(table[id] + x).
   *
   * @param table the embedding table, one row of {@code dim} values per id
   */
  public record EmbeddingModel(float[][] table) {
    public int vocab() {
      return table.length;
    }

    public int dim() {
      return table[0].length;
    }

    public byte[] onnxBytes() {
      int v = vocab();
      int d = dim();
      OnnxMl.TensorProto.Builder w =
          OnnxMl.TensorProto.newBuilder()
              .setName("table")
              .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
              .addDims(v)
              .addDims(d);
      for (float[] row : table) {
        for (float f : row) {
          w.addFloatData(f);
        }
      }
      OnnxMl.GraphProto.Builder g =
          OnnxMl.GraphProto.newBuilder()
              .setName("embedding-classifier")
              .addInitializer(w)
              .addInput(value("ids", ElementType.INT64, 1))
              .addInput(value("x", ElementType.FLOAT, d))
              .addNode(
                  OnnxMl.NodeProto.newBuilder()
                      .setOpType("Gather")
                      .addInput("table")
                      .addInput("ids")
                      .addOutput("looked_up") // [N, 1, d]
                      .addAttribute(intAttribute("axis", 0)))
              .addNode(
                  OnnxMl.NodeProto.newBuilder()
                      .setOpType("Flatten")
                      .addInput("looked_up")
                      .addOutput("embedded")
                      .addAttribute(intAttribute("axis", 1)))
              .addNode(
                  OnnxMl.NodeProto.newBuilder()
                      .setOpType("Add")
                      .addInput("embedded")
                      .addInput("x")
                      .addOutput("logits"))
              .addNode(
                  OnnxMl.NodeProto.newBuilder()
                      .setOpType("Softmax")
                      .addInput("logits")
                      .addOutput("probabilities")
                      .addAttribute(intAttribute("axis", 1)))
              .addOutput(value("probabilities", ElementType.FLOAT, d));
      return model(g);
    }

    public Path writeTo(Path dir, String fileName) {
      try {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(fileName), onnxBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** softmax(table[id] + x), in double precision, without ONNX Runtime. */
    public double[] expected(int id, float[] x) {
      double[] z = new double[dim()];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < z.length; k++) {
        z[k] = (double) table[id][k] + x[k];
        max = Math.max(max, z[k]);
      }
      double sum = 0;
      for (int k = 0; k < z.length; k++) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      for (int k = 0; k < z.length; k++) {
        z[k] /= sum;
      }
      return z;
    }
  }

  /** An embedding classifier over {@code vocab} ids of {@code dim} seeded random values. */
  public static EmbeddingModel embedding(int vocab, int dim, long seed) {
    Random r = new Random(seed);
    float[][] table = new float[vocab][dim];
    for (float[] row : table) {
      for (int k = 0; k < dim; k++) {
        row[k] = (float) r.nextGaussian();
      }
    }
    return new EmbeddingModel(table);
  }

  /**
   * The signature of a text encoder: int64 inputs of shape {@code [-1, -1]} (batch, tokens), as a
   * tokenizer fills them, and output {@code y} float[-1, 1] = the mean over the 16 columns of
   * {@code m · w}, where {@code m} is the mean over tokens of the sum of the inputs and {@code w} a
   * float[1, 16] weight (so compression has a matrix weight to rewrite). For registration tests;
   * not a real model.
   */
  public static byte[] textInputs(String... int64Inputs) {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("text-inputs");
    String sum = null;
    for (String name : int64Inputs) {
      g.addInput(
          OnnxMl.ValueInfoProto.newBuilder()
              .setName(name)
              .setType(
                  OnnxMl.TypeProto.newBuilder()
                      .setTensorType(
                          OnnxMl.TypeProto.Tensor.newBuilder()
                              .setElemType(OnnxMl.TensorProto.DataType.INT64_VALUE)
                              .setShape(
                                  OnnxMl.TensorShapeProto.newBuilder()
                                      .addDim(
                                          OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                              .setDimParam("N"))
                                      .addDim(
                                          OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                              .setDimParam("T"))))));
      g.addNode(
          OnnxMl.NodeProto.newBuilder()
              .setOpType("Cast")
              .addInput(name)
              .addOutput(name + "_f")
              .addAttribute(intAttribute("to", OnnxMl.TensorProto.DataType.FLOAT_VALUE)));
      if (sum == null) {
        sum = name + "_f";
      } else {
        g.addNode(
            OnnxMl.NodeProto.newBuilder()
                .setOpType("Add")
                .addInput(sum)
                .addInput(name + "_f")
                .addOutput(name + "_sum"));
        sum = name + "_sum";
      }
    }
    OnnxMl.AttributeProto axis1 =
        OnnxMl.AttributeProto.newBuilder()
            .setName("axes")
            .setType(OnnxMl.AttributeProto.AttributeType.INTS)
            .addInts(1)
            .build();
    g.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("ReduceMean")
            .addInput(sum)
            .addOutput("m")
            .addAttribute(axis1));
    OnnxMl.TensorProto.Builder w =
        OnnxMl.TensorProto.newBuilder()
            .setName("w")
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
            .addDims(1)
            .addDims(16);
    for (int i = 0; i < 16; i++) {
      w.addFloatData(0.5f + i / 16f);
    }
    g.addInitializer(w);
    g.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("MatMul")
            .addInput("m")
            .addInput("w")
            .addOutput("mw"));
    g.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType("ReduceMean")
            .addInput("mw")
            .addOutput("y")
            .addAttribute(axis1));
    g.addOutput(value("y", ElementType.FLOAT, 1));
    return model(g);
  }

  private static OnnxMl.AttributeProto intAttribute(String name, long value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  /** A tensor {@code type[N, dims...]}, N symbolic. */
  private static OnnxMl.ValueInfoProto value(String name, ElementType type, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape =
        OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (long d : dims) {
      shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(onnxCode(type))
                        .setShape(shape)))
        .build();
  }

  private static int onnxCode(ElementType type) {
    return switch (type) {
      case FLOAT -> OnnxMl.TensorProto.DataType.FLOAT_VALUE;
      case DOUBLE -> OnnxMl.TensorProto.DataType.DOUBLE_VALUE;
      case INT64 -> OnnxMl.TensorProto.DataType.INT64_VALUE;
      case INT32 -> OnnxMl.TensorProto.DataType.INT32_VALUE;
      case INT8 -> OnnxMl.TensorProto.DataType.INT8_VALUE;
      case UINT8 -> OnnxMl.TensorProto.DataType.UINT8_VALUE;
      case BOOL -> OnnxMl.TensorProto.DataType.BOOL_VALUE;
      case FLOAT16 -> OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
      case STRING -> OnnxMl.TensorProto.DataType.STRING_VALUE;
      case OTHER -> throw new IllegalArgumentException("no ONNX type for other");
    };
  }

  private static byte[] model(OnnxMl.GraphProto.Builder g) {
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("inferlake-tests")
        .setGraph(g)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13))
        .build()
        .toByteArray();
  }
}
