package dev.inferlake.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The digits MLP and its data, as {@code scripts/models/digits_mlp.py} made them: a 1.1M-parameter
 * network trained on the 8x8 handwritten digits Debian's python3-sklearn ships, and every row of
 * that set with its label and split. Tests read the committed files; nothing is trained here.
 */
public final class Digits {
  public static final int PIXELS = 64;
  public static final int CLASSES = 10;

  /**
   * The rows of one split.
   *
   * @param ids row ids
   * @param pixels {@code ids.length * 64} intensities, 0..16
   * @param labels the digit of each row
   */
  public record Rows(long[] ids, float[] pixels, int[] labels) {
    public int size() {
      return ids.length;
    }
  }

  private Digits() {}

  /** The repository's {@code scripts/models} folder, found from the working directory up. */
  public static Path folder() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("scripts").resolve("models");
      if (Files.isRegularFile(f.resolve("digits-mlp.onnx"))) {
        return f;
      }
    }
    throw new IllegalStateException(
        "scripts/models/digits-mlp.onnx not found above " + Path.of("").toAbsolutePath());
  }

  public static Path modelFile() {
    return folder().resolve("digits-mlp.onnx");
  }

  public static Path csvFile() {
    return folder().resolve("digits.csv");
  }

  public static byte[] model() {
    try {
      return Files.readAllBytes(modelFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of a split: {@code train} (1,347 rows) or {@code test} (450 held-out rows). */
  public static Rows rows(String split) {
    List<String[]> kept = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(csvFile());
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",");
        if (f[f.length - 1].equals(split)) {
          kept.add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long[] ids = new long[kept.size()];
    float[] pixels = new float[kept.size() * PIXELS];
    int[] labels = new int[kept.size()];
    for (int r = 0; r < kept.size(); r++) {
      String[] f = kept.get(r);
      ids[r] = Long.parseLong(f[0]);
      for (int i = 0; i < PIXELS; i++) {
        pixels[r * PIXELS + i] = Float.parseFloat(f[1 + i]);
      }
      labels[r] = Integer.parseInt(f[1 + PIXELS]);
    }
    return new Rows(ids, pixels, labels);
  }
}
