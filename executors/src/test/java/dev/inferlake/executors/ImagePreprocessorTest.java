package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.model.ModelManifest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Pictures made here, whose preprocessed values can be worked out by hand: a flat colour stays that
 * colour through any bilinear resize, so each value is {@code (v / 255 - mean) / std} in float32;
 * layouts put channels where they say; bad bytes are refused with the reason.
 */
class ImagePreprocessorTest {
  static ModelManifest.Image image(String channels, String layout, int resize) {
    int n = channels.equals("rgb") ? 3 : 1;
    return new ModelManifest.Image(
        "x",
        channels,
        layout,
        resize,
        "bilinear",
        1.0 / 255,
        java.util.Collections.nCopies(n, 0.5),
        java.util.Collections.nCopies(n, 0.25));
  }

  static byte[] flat(int w, int h, int rgb, String format) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out));
    return out.toByteArray();
  }

  static float value(int v) {
    return (v / 255f - 0.5f) / 0.25f;
  }

  @Test
  void aFlatColourKeepsItsValuesInEitherLayout() throws Exception {
    byte[] png = flat(50, 30, 0x0a141e, "png"); // r 10, g 20, b 30; shrunk and cropped
    ImagePreprocessor nchw =
        new ImagePreprocessor(image("rgb", "nchw", 8), new long[] {-1, 3, 6, 8}, 10_000);
    float[] v = new float[nchw.valuesPerPicture()];
    assertNull(nchw.preprocess(png, v, 0));
    for (int i = 0; i < v.length; i++) {
      assertEquals(value(10 * (1 + i / 48)), v[i], 0f, "nchw " + i);
    }
    ImagePreprocessor nhwc =
        new ImagePreprocessor(image("rgb", "nhwc", 8), new long[] {-1, 6, 8, 3}, 10_000);
    float[] w = new float[nhwc.valuesPerPicture() + 5];
    assertNull(nhwc.preprocess(png, w, 5));
    for (int i = 0; i < 48 * 3; i++) {
      assertEquals(value(10 * (1 + i % 3)), w[5 + i], 0f, "nhwc " + i);
    }
    // grey: PIL's L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 = 18
    ImagePreprocessor grey =
        new ImagePreprocessor(image("grey", "nchw", 12), new long[] {-1, 1, 4, 4}, 10_000);
    float[] g = new float[16];
    assertNull(grey.preprocess(png, g, 0));
    float[] want = new float[16];
    Arrays.fill(want, value((10 * 19595 + 20 * 38470 + 30 * 7471 + 0x8000) >> 16));
    assertEquals(18, (10 * 19595 + 20 * 38470 + 30 * 7471 + 0x8000) >> 16);
    assertTrue(Arrays.equals(want, g), Arrays.toString(g));
  }

  @Test
  void badBytesAreRefusedWithTheirReason() throws Exception {
    ImagePreprocessor p =
        new ImagePreprocessor(image("rgb", "nchw", 8), new long[] {-1, 3, 8, 8}, 10_000);
    float[] v = new float[p.valuesPerPicture()];
    byte[] png = flat(40, 40, 0x808080, "png");
    byte[] jpeg = flat(64, 64, 0x336699, "jpeg");
    assertNull(p.preprocess(jpeg, v, 0));

    ImagePreprocessor.Refusal text =
        p.preprocess("hello, not a picture".getBytes(StandardCharsets.UTF_8), v, 0);
    assertEquals(ImagePreprocessor.Problem.UNDECODABLE, text.problem());
    assertEquals("not a picture any reader takes (20 bytes, starting 68656c6c)", text.detail());
    assertEquals(
        ImagePreprocessor.Problem.UNDECODABLE,
        p.preprocess(Arrays.copyOf(png, png.length / 2), v, 0).problem());
    assertEquals(
        ImagePreprocessor.Problem.UNDECODABLE,
        p.preprocess(Arrays.copyOf(jpeg, jpeg.length / 2), v, 0).problem(),
        "a truncated JPEG only warns; the warning makes it undecodable");
    assertEquals(ImagePreprocessor.Problem.UNDECODABLE, p.preprocess(new byte[0], v, 0).problem());

    byte[] big = png.clone();
    ByteBuffer b = ByteBuffer.wrap(big);
    b.putInt(16, 200).putInt(20, 51);
    CRC32 crc = new CRC32();
    crc.update(big, 12, 17);
    b.putInt(29, (int) crc.getValue());
    ImagePreprocessor.Refusal bomb = p.preprocess(big, v, 0);
    assertEquals(ImagePreprocessor.Problem.TOO_LARGE, bomb.problem());
    assertEquals("png of 200x51 pixels, over the limit of 10000", bomb.detail());
    assertNull(
        new ImagePreprocessor(image("rgb", "nchw", 8), new long[] {-1, 3, 8, 8}, 1600)
            .preprocess(png, v, 0),
        "40x40 is exactly the limit");
  }
}
