package dev.inferlake.model.testing;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/**
 * Small ONNX models built in Java for tests, with their weights kept so a test can compute the
 * expected outputs independently of ONNX Runtime.
 */
public final class TestModels {
  private TestModels() {}

  /**
   * A linear model {@code y = x W + b}, followed by softmax when {@code classes > 1}. Input {@code
   * float[-1, features]}, output {@code float[-1, classes]}.
   */
  public record LinearModel(
      String inputName, String outputName, int features, int classes, float[][] w, float[] b) {

    /** Serialized ONNX {@code ModelProto}, opset 13. */
    public byte[] onnxBytes() {
      ONNXContext ctx = new ONNXContext();
      ctx.setName("linear-test-model");
      ONNXPlaceholder input = ctx.floatInput(inputName, features);
      ONNXPlaceholder output = ctx.floatOutput(outputName, classes);
      ONNXInitializer weights =
          ctx.floatTensor(
              "W",
              List.of(features, classes),
              buf -> {
                for (float[] row : w) {
                  buf.put(row);
                }
              });
      ONNXInitializer bias = ctx.array("b", b);
      ONNXNode gemm = input.apply(ONNXOperators.GEMM, List.of(weights, bias));
      if (classes > 1) {
        gemm.apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
      } else {
        gemm.assignTo(output);
      }
      return OnnxMl.ModelProto.newBuilder()
          .setIrVersion(8)
          .setProducerName("inferlake-tests")
          .setGraph(ctx.buildGraph())
          .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13).build())
          .build()
          .toByteArray();
    }

    /** Writes the model to {@code dir/fileName} and returns the path. */
    public Path writeTo(Path dir, String fileName) {
      try {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(fileName), onnxBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Writes the model to {@code dir/model.onnx} with its weight matrix in the external data file
     * {@code dir/<dataFile>}, as exporters do for models over 2 GB.
     */
    public Path writeWithExternalData(Path dir, String dataFile) {
      try {
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(onnxBytes());
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
          OnnxMl.TensorProto t = g.getInitializer(i);
          if (t.getDimsCount() != 2) { // the weight matrix (the bias is 1-D)
            continue;
          }
          byte[] data;
          if (!t.getRawData().isEmpty()) {
            data = t.getRawData().toByteArray();
          } else {
            java.nio.ByteBuffer buf =
                java.nio.ByteBuffer.allocate(4 * t.getFloatDataCount())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            t.getFloatDataList().forEach(buf::putFloat);
            data = buf.array();
          }
          Path file = dir.resolve(dataFile);
          Files.createDirectories(file.getParent());
          Files.write(file, data);
          g.setInitializer(
              i,
              t.toBuilder()
                  .clearRawData()
                  .clearFloatData()
                  .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                  .addExternalData(entry("location", dataFile))
                  .addExternalData(entry("offset", "0"))
                  .addExternalData(entry("length", String.valueOf(data.length))));
        }
        Files.createDirectories(dir);
        return Files.write(
            dir.resolve("model.onnx"), m.toBuilder().setGraph(g).build().toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static OnnxMl.StringStringEntryProto entry(String k, String v) {
      return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /** The model's output for one row, computed in double precision without ONNX Runtime. */
    public double[] expected(float[] x) {
      double[] z = new double[classes];
      for (int c = 0; c < classes; c++) {
        double s = b[c];
        for (int f = 0; f < features; f++) {
          s += (double) x[f] * w[f][c];
        }
        z[c] = s;
      }
      if (classes == 1) {
        return z;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        z[c] = Math.exp(z[c] - max);
        sum += z[c];
      }
      for (int c = 0; c < classes; c++) {
        z[c] /= sum;
      }
      return z;
    }
  }

  /** A linear classifier (or regressor when {@code classes == 1}) with seeded random weights. */
  public static LinearModel linear(int features, int classes, long seed) {
    Random r = new Random(seed);
    float[][] w = new float[features][classes];
    for (float[] row : w) {
      for (int c = 0; c < classes; c++) {
        row[c] = (float) r.nextGaussian();
      }
    }
    float[] b = new float[classes];
    for (int c = 0; c < classes; c++) {
      b[c] = (float) (0.1 * r.nextGaussian());
    }
    return new LinearModel(
        "input", classes > 1 ? "probabilities" : "value", features, classes, w, b);
  }
}
