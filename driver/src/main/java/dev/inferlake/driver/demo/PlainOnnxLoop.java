package dev.inferlake.driver.demo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The reference point for throughput: ONNX Runtime scoring in-memory arrays in a plain loop, with
 * no Spark, no I/O and one session, batch by batch through a direct buffer.
 */
public final class PlainOnnxLoop {
  private PlainOnnxLoop() {}

  /**
   * Returns the seconds taken to score every row of {@code features} ({@code perRow} values each).
   */
  public static double seconds(
      byte[] model, float[] features, int perRow, int batchSize, int threads) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int rows = features.length / perRow;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(threads);
      try (OrtSession s = env.createSession(model, so)) {
        return seconds(s, features, perRow, batchSize, rows);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("plain ONNX Runtime loop failed", e);
    }
  }

  /**
   * Returns the seconds an open session takes to score the first {@code rows} rows of {@code
   * features} ({@code perRow} values each), batch by batch through one reused direct buffer.
   */
  public static double seconds(OrtSession s, float[] features, int perRow, int batchSize, int rows)
      throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    String input = s.getInputNames().iterator().next();
    FloatBuffer buf =
        ByteBuffer.allocateDirect(batchSize * perRow * 4)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    long start = System.nanoTime();
    for (int off = 0; off < rows; off += batchSize) {
      int n = Math.min(batchSize, rows - off);
      buf.clear();
      buf.put(features, off * perRow, n * perRow);
      buf.flip();
      try (OnnxTensor t = OnnxTensor.createTensor(env, buf, new long[] {n, perRow});
          OrtSession.Result r = s.run(Map.of(input, t))) {
        r.get(0);
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
