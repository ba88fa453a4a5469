package dev.inferlake.model.testing;

import dev.inferlake.model.ModelManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image model and its pictures, as {@code scripts/models/digits_cnn.py} made them: a small CNN
 * reading a digit from a colour picture ({@code pixels float[N,3,28,28]} to {@code probabilities
 * float[N,10]}), the 450 held-out pictures (PNG, grey PNG and JPEG files of 24 to 56 pixels a side)
 * and what PyTorch computed from each file through PIL and torchvision's transforms.
 */
public final class DigitsCnn {
  public static final String INPUT = "pixels";
  public static final String OUTPUT = "probabilities";
  public static final int CLASSES = 10;
  public static final int PICTURES = 450;

  /** The preprocessing the script applies: Resize(32), CenterCrop(28), ToTensor, Normalize. */
  public static final ModelManifest.Image PREPROCESSING =
      new ModelManifest.Image(
          INPUT,
          ModelManifest.Image.RGB,
          ModelManifest.Image.NCHW,
          32,
          ModelManifest.Image.BILINEAR,
          1.0 / 255,
          List.of(0.485, 0.456, 0.406),
          List.of(0.229, 0.224, 0.225));

  /** The input's shape. */
  public static final long[] SHAPE = {-1, 3, 28, 28};

  /**
   * What PyTorch computed from one picture file.
   *
   * @param file the file's name in {@link #pictures()}
   * @param label the digit
   * @param predicted the class of the largest probability
   * @param width the picture's width
   * @param height its height
   * @param probabilities the model's output
   * @param pixelSum the sum of the preprocessed values (float32, summed in double)
   */
  public record Reference(
      String file,
      int label,
      int predicted,
      int width,
      int height,
      float[] probabilities,
      double pixelSum) {}

  private DigitsCnn() {}

  public static byte[] onnx() {
    return read("digits-cnn.onnx");
  }

  public static byte[] torchScript() {
    return read("digits-cnn.pt");
  }

  /** The folder of held-out pictures, {@code NNNN.png} or {@code NNNN.jpg}. */
  public static Path pictures() {
    return Digits.folder().resolve("images").resolve("digits");
  }

  /** The reference, in file name order. */
  public static List<Reference> reference() {
    List<Reference> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Digits.folder().resolve("digits-cnn-reference.csv"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      float[] p = new float[CLASSES];
      for (int k = 0; k < CLASSES; k++) {
        p[k] = Float.parseFloat(f[5 + k]);
      }
      out.add(
          new Reference(
              f[0],
              Integer.parseInt(f[1]),
              Integer.parseInt(f[2]),
              Integer.parseInt(f[3]),
              Integer.parseInt(f[4]),
              p,
              Double.parseDouble(f[5 + CLASSES])));
    }
    return out;
  }

  /** The bytes of one picture file. */
  public static byte[] picture(String file) {
    try {
      return Files.readAllBytes(pictures().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(String name) {
    try {
      return Files.readAllBytes(Digits.folder().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
