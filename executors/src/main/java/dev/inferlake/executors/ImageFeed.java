package dev.inferlake.executors;

import dev.inferlake.model.ModelManifest;
import java.io.Serializable;
import java.util.Objects;

/**
 * How a binary column of encoded pictures feeds one float input of an image model: the package's
 * preprocessing (from the signed manifest) and the job's pixel limit.
 *
 * @param image the manifest's image entry
 * @param maxPixels pictures whose header declares more pixels are bad rows ({@code too_large}),
 *     never decoded
 */
public record ImageFeed(ModelManifest.Image image, long maxPixels) implements Serializable {
  /**
   * The default pixel limit: PIL's {@code MAX_IMAGE_PIXELS} (89,478,485, a quarter of a gigabyte of
   * RGBA), past which PIL warns of a decompression bomb.
   */
  public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

  public ImageFeed {
    Objects.requireNonNull(image, "image");
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, was " + maxPixels);
    }
  }
}
