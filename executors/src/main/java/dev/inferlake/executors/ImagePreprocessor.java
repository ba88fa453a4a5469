package dev.inferlake.executors;

import dev.inferlake.model.ModelManifest;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns one encoded picture (PNG, JPEG, or any format {@code javax.imageio} reads) into the float
 * values of one example of an image model's input, as the package declares ({@link
 * ModelManifest.Image}) and as torchvision does on a PIL image: {@code convert("RGB"|"L")}, {@code
 * Resize(shorter side)}, {@code CenterCrop}, {@code ToTensor}, {@code Normalize}.
 *
 * <p>The arithmetic is PIL's, not an approximation of it: the bilinear resize is PIL's separable
 * triangle filter (widened by the scale factor when shrinking, which is its antialias), with the
 * same window bounds, the same 22-bit fixed-point weights, the horizontal pass first and each pass
 * rounded back to 8 bits; grey is PIL's {@code L = (19595 R + 38470 G + 7471 B + 2^15) >> 16}; the
 * crop offsets round half to even as Python's {@code round}; {@code ToTensor}'s {@code v / 255} and
 * {@code Normalize}'s {@code (v - mean) / std} are done in float32. So a picture decoded to the
 * same pixels gives the same floats as Python, bit for bit. PNG decoding is lossless, so PNGs match
 * exactly; JPEG decoders may differ by a level here and there.
 *
 * <p>The pixel count is read from the header before any pixel is decoded: a picture of more than
 * {@code maxPixels} is refused without allocating it (decompression bombs). A file no reader takes,
 * or whose decoding fails or warns (a truncated file), is undecodable.
 *
 * <p>Thread-safe: holds only immutable settings; every call decodes with its own reader.
 */
public final class ImagePreprocessor {
  /** PIL's fixed-point precision for 8-bit resampling: 32 - 8 - 2 bits. */
  private static final int PRECISION_BITS = 22;

  private final ModelManifest.Image image;
  private final int cropHeight;
  private final int cropWidth;
  private final int channels;
  private final boolean nchw;
  private final long maxPixels;

  /** Per channel, the float each 8-bit value becomes. */
  private final float[][] lut;

  /**
   * @param image the package's preprocessing
   * @param inputShape the model input's shape ({@code [-1, c, h, w]} or {@code [-1, h, w, c]})
   * @param maxPixels pictures with more pixels than this are refused before decoding
   */
  public ImagePreprocessor(ModelManifest.Image image, long[] inputShape, long maxPixels) {
    this.image = Objects.requireNonNull(image, "image");
    int[] crop = image.cropOf(inputShape);
    this.cropHeight = crop[0];
    this.cropWidth = crop[1];
    this.channels = image.channelCount();
    this.nchw = ModelManifest.Image.NCHW.equals(image.layout());
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, was " + maxPixels);
    }
    this.maxPixels = maxPixels;
    this.lut = new float[channels][256];
    boolean toTensor = image.scale() == 1.0 / 255;
    for (int c = 0; c < channels; c++) {
      float mean = image.mean().get(c).floatValue();
      float std = image.std().get(c).floatValue();
      for (int v = 0; v < 256; v++) {
        float x = toTensor ? v / 255f : (float) (v * image.scale());
        lut[c][v] = (x - mean) / std;
      }
    }
  }

  /** Values one picture fills: channels x height x width. */
  public int valuesPerPicture() {
    return channels * cropHeight * cropWidth;
  }

  /** Why a picture cannot feed the model. */
  public enum Problem {
    /** No reader takes the bytes, or decoding fails or warns (truncated, corrupt). */
    UNDECODABLE,
    /** The header declares more pixels than the limit. */
    TOO_LARGE
  }

  /**
   * A picture that cannot feed the model.
   *
   * @param problem what kind
   * @param detail what was found, for the quarantine table's {@code value} column
   */
  public record Refusal(Problem problem, String detail) {}

  /** A decoded picture: 8-bit channel planes, {@code planes[c][y * width + x]}. */
  public record Pixels(int width, int height, byte[][] planes) {}

  /**
   * Decodes {@code encoded} and writes its {@link #valuesPerPicture()} values into {@code out} from
   * {@code offset}, in the declared layout.
   *
   * @return null when written; otherwise why not ({@code out} then holds no meaningful values)
   */
  public Refusal preprocess(byte[] encoded, float[] out, int offset) {
    Object decoded = decode(encoded);
    if (decoded instanceof Refusal r) {
      return r;
    }
    write((Pixels) decoded, out, offset);
    return null;
  }

  /**
   * Decodes {@code encoded} into the declared channels (PIL's {@code convert("RGB")} or {@code
   * convert("L")}).
   *
   * @return the {@link Pixels}, or the {@link Refusal}
   */
  public Object decode(byte[] encoded) {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return new Refusal(
            Problem.UNDECODABLE,
            "not a picture any reader takes ("
                + encoded.length
                + " bytes, starting "
                + hex(encoded)
                + ")");
      }
      ImageReader reader = readers.next();
      String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w * h > maxPixels) {
          return new Refusal(
              Problem.TOO_LARGE,
              format + " of " + w + "x" + h + " pixels, over the limit of " + maxPixels);
        }
        String[] warning = new String[1];
        reader.addIIOReadWarningListener(
            new IIOReadWarningListener() {
              @Override
              public void warningOccurred(ImageReader source, String message) {
                if (warning[0] == null) {
                  warning[0] = message;
                }
              }
            });
        BufferedImage img = reader.read(0);
        if (warning[0] != null) {
          return new Refusal(Problem.UNDECODABLE, format + ": " + warning[0]);
        }
        return pixels(img);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      String msg = e.getMessage();
      return new Refusal(
          Problem.UNDECODABLE, msg == null ? e.getClass().getSimpleName() : msg.strip());
    }
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, b.length); i++) {
      sb.append(String.format("%02x", b[i] & 0xff));
    }
    return sb.length() == 0 ? "(empty)" : sb.toString();
  }

  /** The image's 8-bit samples in the declared channels, as PIL's conversions give them. */
  private Pixels pixels(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    Raster r = img.getRaster();
    ColorModel cm = img.getColorModel();
    int n = w * h;
    int[][] rgb; // 1 (grey) or 3 planes of 0..255
    boolean eightBit = true;
    for (int s : r.getSampleModel().getSampleSize()) {
      eightBit &= s == 8;
    }
    int space = cm.getColorSpace().getType();
    if (!(cm instanceof IndexColorModel) && eightBit && space == ColorSpace.TYPE_GRAY) {
      rgb = new int[][] {r.getSamples(0, 0, w, h, 0, new int[n])};
    } else if (!(cm instanceof IndexColorModel)
        && eightBit
        && space == ColorSpace.TYPE_RGB
        && r.getNumBands() >= 3) {
      rgb =
          new int[][] {
            r.getSamples(0, 0, w, h, 0, new int[n]),
            r.getSamples(0, 0, w, h, 1, new int[n]),
            r.getSamples(0, 0, w, h, 2, new int[n])
          };
    } else { // palettes, 16-bit samples, other colour spaces: through sRGB
      int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
      int[] red = new int[n];
      int[] green = new int[n];
      int[] blue = new int[n];
      for (int i = 0; i < n; i++) {
        red[i] = (argb[i] >> 16) & 0xff;
        green[i] = (argb[i] >> 8) & 0xff;
        blue[i] = argb[i] & 0xff;
      }
      rgb = new int[][] {red, green, blue};
    }
    byte[][] planes = new byte[channels][n];
    if (channels == 3) {
      for (int c = 0; c < 3; c++) {
        int[] src = rgb[rgb.length == 1 ? 0 : c]; // L -> RGB repeats the grey level
        for (int i = 0; i < n; i++) {
          planes[c][i] = (byte) src[i];
        }
      }
    } else if (rgb.length == 1) {
      for (int i = 0; i < n; i++) {
        planes[0][i] = (byte) rgb[0][i];
      }
    } else {
      for (int i = 0; i < n; i++) { // PIL's L24
        planes[0][i] =
            (byte) ((rgb[0][i] * 19595 + rgb[1][i] * 38470 + rgb[2][i] * 7471 + 0x8000) >> 16);
      }
    }
    return new Pixels(w, h, planes);
  }

  /** Resizes, crops, scales and normalizes {@code p} into {@code out}. */
  public void write(Pixels p, float[] out, int offset) {
    int w = p.width();
    int h = p.height();
    // torchvision's Resize(int): the shorter side becomes `resize`, the longer is truncated
    int newW;
    int newH;
    if (w <= h) {
      newW = image.resize();
      newH = (int) ((long) image.resize() * h / w);
    } else {
      newH = image.resize();
      newW = (int) ((long) image.resize() * w / h);
    }
    if (w == h) {
      newW = newH = image.resize();
    }
    // CenterCrop: int(round((size - crop) / 2.0)), Python's round halves to even
    int top = (int) Math.rint((newH - cropHeight) / 2.0);
    int left = (int) Math.rint((newW - cropWidth) / 2.0);
    Axis horizontal = new Axis(w, newW, left, cropWidth);
    Axis vertical = new Axis(h, newH, top, cropHeight);
    int rowsFrom = vertical.firstSource();
    int rowsTo = vertical.endSource();
    int[] temp = new int[(rowsTo - rowsFrom) * cropWidth];
    int plane = cropHeight * cropWidth;
    for (int c = 0; c < channels; c++) {
      byte[] src = p.planes()[c];
      // horizontal pass first (as PIL), over the source rows the kept output rows read
      for (int y = rowsFrom; y < rowsTo; y++) {
        int row = y * w;
        int at = (y - rowsFrom) * cropWidth;
        for (int x = 0; x < cropWidth; x++) {
          int from = horizontal.bounds[2 * x];
          int count = horizontal.bounds[2 * x + 1];
          int k = x * horizontal.ksize;
          int ss = 1 << (PRECISION_BITS - 1);
          for (int i = 0; i < count; i++) {
            ss += (src[row + from + i] & 0xff) * horizontal.weights[k + i];
          }
          temp[at + x] = clip8(ss);
        }
      }
      float[] values = lut[c];
      for (int y = 0; y < cropHeight; y++) {
        int from = vertical.bounds[2 * y] - rowsFrom;
        int count = vertical.bounds[2 * y + 1];
        int k = y * vertical.ksize;
        for (int x = 0; x < cropWidth; x++) {
          int ss = 1 << (PRECISION_BITS - 1);
          for (int i = 0; i < count; i++) {
            ss += temp[(from + i) * cropWidth + x] * vertical.weights[k + i];
          }
          int v = clip8(ss);
          int at =
              nchw
                  ? offset + c * plane + y * cropWidth + x
                  : offset + (y * cropWidth + x) * channels + c;
          out[at] = values[v];
        }
      }
    }
  }

  private static int clip8(int ss) {
    int v = ss >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * PIL's resampling coefficients along one axis ({@code precompute_coeffs} with the bilinear
   * filter, then {@code normalize_coeffs_8bpc}), for the output positions {@code [first, first +
   * count)} only: cropping after resizing keeps those.
   */
  private static final class Axis {
    final int ksize;
    final int[] bounds; // per kept output: first source index, source count
    final int[] weights; // per kept output: ksize fixed-point weights

    Axis(int inSize, int outSize, int first, int count) {
      double scale = (double) inSize / outSize;
      double filterscale = Math.max(scale, 1.0);
      double support = 1.0 * filterscale; // bilinear's support is 1
      this.ksize = (int) Math.ceil(support) * 2 + 1;
      this.bounds = new int[2 * count];
      this.weights = new int[count * ksize];
      double[] k = new double[ksize];
      for (int j = 0; j < count; j++) {
        int xx = first + j;
        double center = (xx + 0.5) * scale;
        double ww = 0.0;
        double ss = 1.0 / filterscale;
        int xmin = (int) (center - support + 0.5);
        if (xmin < 0) {
          xmin = 0;
        }
        int xmax = (int) (center + support + 0.5);
        if (xmax > inSize) {
          xmax = inSize;
        }
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
          double w = triangle((x + xmin - center + 0.5) * ss);
          k[x] = w;
          ww += w;
        }
        for (int x = 0; x < xmax; x++) {
          if (ww != 0.0) {
            k[x] /= ww;
          }
        }
        for (int x = 0; x < ksize; x++) {
          double v = x < xmax ? k[x] : 0.0;
          weights[j * ksize + x] =
              v < 0
                  ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                  : (int) (0.5 + v * (1 << PRECISION_BITS));
        }
        bounds[2 * j] = xmin;
        bounds[2 * j + 1] = xmax;
      }
    }

    private static double triangle(double x) {
      double a = Math.abs(x);
      return a < 1.0 ? 1.0 - a : 0.0;
    }

    int firstSource() {
      int min = Integer.MAX_VALUE;
      for (int j = 0; j < bounds.length; j += 2) {
        min = Math.min(min, bounds[j]);
      }
      return min;
    }

    int endSource() {
      int max = 0;
      for (int j = 0; j < bounds.length; j += 2) {
        max = Math.max(max, bounds[j] + bounds[j + 1]);
      }
      return max;
    }
  }
}
