package dev.inferlake.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recommendation-style model and its data, as {@code scripts/models/recsys.py} made them: five
 * int64 id inputs into embedding tables plus a float input, trained on Fair's survey that Debian's
 * python3-statsmodels ships, with two outputs ({@code score} float[N,1], {@code embedding}
 * float[N,8]) and PyTorch's reference outputs on the held-out rows. Tests read the committed files;
 * nothing is trained here.
 */
public final class Recsys {
  /** The id inputs, each int64[N,1], in the model's input order. */
  public static final List<String> ID_INPUTS =
      List.of("occupation", "occupation_husb", "religious", "rate_marriage", "educ_bucket");

  /** Each id input's vocabulary size: valid ids are in [0, size). */
  public static final Map<String, Integer> VOCAB =
      Map.of(
          "occupation",
          7,
          "occupation_husb",
          7,
          "religious",
          5,
          "rate_marriage",
          6,
          "educ_bucket",
          6);

  /** The float input, float[N,3]: age, yrs_married, children. */
  public static final String NUMERIC_INPUT = "numeric";

  public static final int NUMERIC = 3;
  public static final int EMBEDDING = 8;

  /**
   * The rows of one split, in file order.
   *
   * @param ids row ids
   * @param idColumns per id input (in {@link #ID_INPUTS} order), one id per row
   * @param numeric {@code rows * 3} float features
   * @param labels 0 or 1
   */
  public record Rows(long[] ids, long[][] idColumns, float[] numeric, int[] labels) {
    public int size() {
      return ids.length;
    }
  }

  /**
   * PyTorch's outputs for the held-out rows, by row id.
   *
   * @param score per row id, the score
   * @param embedding per row id, the embedding
   */
  public record Reference(Map<Long, Float> score, Map<Long, float[]> embedding) {}

  private Recsys() {}

  public static Path folder() {
    return Digits.folder();
  }

  public static byte[] onnx() {
    return read("recsys.onnx");
  }

  public static byte[] torchScript() {
    return read("recsys.pt");
  }

  /** The rows of a split: {@code train} (4,774 rows) or {@code test} (1,592 held-out rows). */
  public static Rows rows(String split) {
    List<String[]> kept = new ArrayList<>();
    for (String[] f : csv("recsys.csv")) {
      if (f[f.length - 1].equals(split)) {
        kept.add(f);
      }
    }
    int n = kept.size();
    long[] ids = new long[n];
    long[][] idColumns = new long[ID_INPUTS.size()][n];
    float[] numeric = new float[n * NUMERIC];
    int[] labels = new int[n];
    for (int r = 0; r < n; r++) {
      String[] f = kept.get(r);
      ids[r] = Long.parseLong(f[0]);
      for (int c = 0; c < ID_INPUTS.size(); c++) {
        idColumns[c][r] = Long.parseLong(f[1 + c]);
      }
      for (int c = 0; c < NUMERIC; c++) {
        numeric[r * NUMERIC + c] = Float.parseFloat(f[1 + ID_INPUTS.size() + c]);
      }
      labels[r] = Integer.parseInt(f[1 + ID_INPUTS.size() + NUMERIC]);
    }
    return new Rows(ids, idColumns, numeric, labels);
  }

  /** PyTorch's outputs on the held-out rows. */
  public static Reference reference() {
    Map<Long, Float> score = new HashMap<>();
    Map<Long, float[]> embedding = new HashMap<>();
    for (String[] f : csv("recsys-reference.csv")) {
      long id = Long.parseLong(f[0]);
      score.put(id, Float.parseFloat(f[1]));
      float[] e = new float[EMBEDDING];
      for (int k = 0; k < EMBEDDING; k++) {
        e[k] = Float.parseFloat(f[2 + k]);
      }
      embedding.put(id, e);
    }
    return new Reference(score, embedding);
  }

  private static List<String[]> csv(String name) {
    try {
      List<String> lines = Files.readAllLines(folder().resolve(name));
      List<String[]> out = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        out.add(line.split(","));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(String name) {
    try {
      return Files.readAllBytes(folder().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
