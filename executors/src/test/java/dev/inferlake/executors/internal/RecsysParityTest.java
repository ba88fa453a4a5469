package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.Device;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.executors.Tensor;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.ModelFormat;
import dev.inferlake.model.ModelSignature;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.model.testing.Recsys;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The recommendation-style model of {@code scripts/models/recsys.py} (five int64 id inputs into
 * embedding tables plus a float input; outputs {@code score} and {@code embedding}) scored at the
 * runner level on its 1,592 held-out rows: ONNX Runtime against PyTorch's reference outputs, DJL's
 * TorchScript against ONNX Runtime, and the same rows in batches of 1, 7, 1,024 and all at once.
 */
class RecsysParityTest {
  private static final RunnerOptions CPU = new RunnerOptions(1, Device.CPU);
  private static final List<Integer> BATCHES = List.of(1, 7, 1024);

  /** Both outputs of every held-out row, in row order. */
  private record Scores(float[] score, float[] embedding) {}

  @Test
  void theSignatureHasInt64IdsAFloatInputAndTwoOutputs() {
    ModelSignature onnx = ModelFormat.ONNX.signature(Recsys.onnx(), "onnx");
    for (String id : Recsys.ID_INPUTS) {
      TensorSpec spec = onnx.input(id).orElseThrow();
      assertEquals(ElementType.INT64, spec.type(), id);
      assertArrayEquals(new long[] {-1, 1}, spec.shape(), id);
    }
    assertEquals(ElementType.FLOAT, onnx.input(Recsys.NUMERIC_INPUT).orElseThrow().type());
    assertArrayEquals(new long[] {-1, 1}, onnx.output("score").orElseThrow().shape());
    assertArrayEquals(
        new long[] {-1, Recsys.EMBEDDING}, onnx.output("embedding").orElseThrow().shape());
    assertEquals(onnx, ModelFormat.TORCHSCRIPT.signature(Recsys.torchScript(), "pt"));
  }

  @Test
  void onnxRuntimeMatchesPyTorchWithin1e4OnBothOutputsAtEveryBatchSize() {
    Recsys.Rows rows = Recsys.rows("test");
    Recsys.Reference ref = Recsys.reference();
    assertEquals(1592, rows.size());
    try (OnnxRunner ort = OnnxRunner.load(Recsys.onnx(), "recsys:onnx", CPU)) {
      Scores all = score(ort, rows, rows.size(), ElementType.INT64);
      double maxScore = 0;
      double maxEmbedding = 0;
      for (int r = 0; r < rows.size(); r++) {
        long id = rows.ids()[r];
        maxScore = Math.max(maxScore, Math.abs(all.score()[r] - ref.score().get(id)));
        float[] e = ref.embedding().get(id);
        for (int k = 0; k < Recsys.EMBEDDING; k++) {
          maxEmbedding =
              Math.max(maxEmbedding, Math.abs(all.embedding()[r * Recsys.EMBEDDING + k] - e[k]));
        }
      }
      System.out.printf(
          "recsys ONNX Runtime vs PyTorch on %d rows: max |diff| score %.3g, embedding %.3g%n",
          rows.size(), maxScore, maxEmbedding);
      assertTrue(maxScore <= 1e-4, "score max |diff| " + maxScore);
      assertTrue(maxEmbedding <= 1e-4, "embedding max |diff| " + maxEmbedding);
      for (int batch : BATCHES) {
        Scores b = score(ort, rows, batch, ElementType.INT64);
        assertArrayEquals(all.score(), b.score(), "score in batches of " + batch);
        assertArrayEquals(all.embedding(), b.embedding(), "embedding in batches of " + batch);
      }
    }
  }

  @Test
  void torchScriptThroughDjlMatchesOnnxRuntimeWithin1e5() {
    Recsys.Rows rows = Recsys.rows("test");
    byte[] pt = Recsys.torchScript();
    ModelSignature sig = ModelFormat.TORCHSCRIPT.signature(pt, "pt");
    Scores onnx;
    try (OnnxRunner ort = OnnxRunner.load(Recsys.onnx(), "recsys:onnx", CPU)) {
      onnx = score(ort, rows, rows.size(), ElementType.INT64);
    }
    try (DjlRunner torch = DjlRunner.load(pt, sig, "recsys:pt", CPU)) {
      for (int batch : List.of(rows.size(), 1, 7, 1024)) {
        Scores t = score(torch, rows, batch, ElementType.INT64);
        double maxScore = maxDiff(onnx.score(), t.score());
        double maxEmbedding = maxDiff(onnx.embedding(), t.embedding());
        if (batch == rows.size()) {
          System.out.printf(
              "recsys TorchScript (DJL) vs ONNX Runtime: max |diff| score %.3g, embedding %.3g%n",
              maxScore, maxEmbedding);
        }
        assertTrue(maxScore <= 1e-5, "batch " + batch + ": score max |diff| " + maxScore);
        assertTrue(
            maxEmbedding <= 1e-5, "batch " + batch + ": embedding max |diff| " + maxEmbedding);
      }
    }
  }

  /**
   * Not a timed assertion: the scoring rate of the model fed int64 ids against its float-id twin
   * ({@code recsys-float.onnx}, the same network casting float ids in the graph), at the runner
   * level, printed for the record. Both must give the same scores.
   */
  @Test
  void int64IdsScoreAsTheFloatTwinDoesAndTheRatesArePrinted() throws Exception {
    Recsys.Rows rows = Recsys.rows("test");
    byte[] twin = java.nio.file.Files.readAllBytes(Recsys.folder().resolve("recsys-float.onnx"));
    try (OnnxRunner ids = OnnxRunner.load(Recsys.onnx(), "recsys:onnx", CPU);
        OnnxRunner floats = OnnxRunner.load(twin, "recsys-float:onnx", CPU)) {
      Scores a = score(ids, rows, 1024, ElementType.INT64);
      Scores b = score(floats, rows, 1024, ElementType.FLOAT);
      assertArrayEquals(a.score(), b.score(), "int64 ids and float ids give the same score");
      assertArrayEquals(a.embedding(), b.embedding());
      for (int batch : List.of(1024, 64)) {
        // alternate the two, best of three half-second runs each: the machine is shared
        double int64Rate = 0;
        double floatRate = 0;
        for (int round = 0; round < 3; round++) {
          int64Rate = Math.max(int64Rate, rate(ids, rows, batch, ElementType.INT64));
          floatRate = Math.max(floatRate, rate(floats, rows, batch, ElementType.FLOAT));
        }
        System.out.printf(
            "recsys rows/s at batch %d, one thread, tensors filled from Java arrays each batch:"
                + " int64 ids %.0f, float ids %.0f (int64/float %.2f)%n",
            batch, int64Rate, floatRate, int64Rate / floatRate);
        assertTrue(int64Rate > 0 && floatRate > 0);
      }
    }
  }

  /** Rows per second scoring every held-out row over and over for half a second. */
  private static double rate(Runner runner, Recsys.Rows rows, int batch, ElementType idType) {
    score(runner, rows, batch, idType); // warm up
    long start = System.nanoTime();
    long done = 0;
    while (System.nanoTime() - start < 500_000_000L) {
      score(runner, rows, batch, idType);
      done += rows.size();
    }
    return done / ((System.nanoTime() - start) / 1e9);
  }

  /** Scores every row in batches of {@code batch}, ids fed as {@code idType}. */
  private static Scores score(Runner runner, Recsys.Rows rows, int batch, ElementType idType) {
    int n = rows.size();
    float[] score = new float[n];
    float[] embedding = new float[n * Recsys.EMBEDDING];
    int cap = Math.min(batch, n);
    Map<String, Tensor> in = new HashMap<>();
    for (String id : Recsys.ID_INPUTS) {
      in.put(id, Tensor.allocate(idType, cap, 1));
    }
    in.put(Recsys.NUMERIC_INPUT, Tensor.allocate(ElementType.FLOAT, cap, Recsys.NUMERIC));
    Tensor s = Tensor.allocate(ElementType.FLOAT, cap, 1);
    Tensor e = Tensor.allocate(ElementType.FLOAT, cap, Recsys.EMBEDDING);
    Map<String, Tensor> out = Map.of("score", s, "embedding", e);
    for (int from = 0; from < n; from += cap) {
      int m = Math.min(cap, n - from);
      for (int c = 0; c < Recsys.ID_INPUTS.size(); c++) {
        Tensor t = in.get(Recsys.ID_INPUTS.get(c)).setRows(m);
        if (idType == ElementType.INT64) {
          LongBuffer b = t.asLongBuffer();
          b.put(rows.idColumns()[c], from, m);
        } else {
          var b = t.asFloatBuffer();
          for (int r = 0; r < m; r++) {
            b.put((float) rows.idColumns()[c][from + r]);
          }
        }
      }
      in.get(Recsys.NUMERIC_INPUT)
          .setRows(m)
          .asFloatBuffer()
          .put(rows.numeric(), from * Recsys.NUMERIC, m * Recsys.NUMERIC);
      s.setRows(m);
      e.setRows(m);
      runner.run(in, m, out);
      assertEquals(m, s.rows());
      s.asFloatBuffer().get(score, from, m);
      e.asFloatBuffer().get(embedding, from * Recsys.EMBEDDING, m * Recsys.EMBEDDING);
    }
    return new Scores(score, embedding);
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
