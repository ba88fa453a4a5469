package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.KeysetHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image preprocessing a package declares (issue 20): left out of manifests that declare none,
 * so older manifests and signatures hold byte for byte; covered by new signatures; checked against
 * the model's input.
 */
class ManifestImageTest {
  /** An image model's manifest: float pixels [-1, 3, 28, 28]. */
  static final String IMAGE =
      """
      {
        "name" : "m",
        "version" : "v1",
        "format" : "ONNX",
        "sha256" : "sha256:aa",
        "raw_bytes" : 10,
        "packed_bytes" : 8,
        "compression" : "zstd",
        "encryption" : "none",
        "created" : "2026-12-01T00:00:00Z",
        "inputs" : [ { "name" : "pixels", "type" : "float", "shape" : [ -1, 3, 28, 28 ] } ],
        "outputs" : [ { "name" : "probabilities", "type" : "float", "shape" : [ -1, 10 ] } ],
        "packed_sha256" : "sha256:bb"
      }
      """;

  static ModelManifest.Image image(String channels, String layout, int resize, double std) {
    int n = channels.equals("rgb") ? 3 : 1;
    return new ModelManifest.Image(
        "pixels",
        channels,
        layout,
        resize,
        "bilinear",
        1.0 / 255,
        java.util.Collections.nCopies(n, 0.5),
        java.util.Collections.nCopies(n, std));
  }

  @Test
  void aManifestWithoutImagePreprocessingKeepsItsCanonicalBytes() {
    ModelManifest m = ModelManifest.fromJson(ManifestTaskTest.OLD, "t");
    assertNull(m.image());
    assertFalse(m.toJson().contains("image"), m.toJson());
    ModelManifest copied =
        m.withTask(null).withSignature(null).withFiles(null).withVocabSizes(Map.of());
    assertEquals(
        ManifestTaskTest.OLD_CANONICAL,
        new String(copied.canonicalBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void preprocessingIsStoredReadBackKeptByCopiesAndCovered() {
    ModelManifest.Image img = image("rgb", "nchw", 32, 0.25);
    ModelManifest m = ModelManifest.fromJson(IMAGE, "t").withImage(img);
    assertEquals(img, ModelManifest.fromJson(m.toJson(), "t").image());
    assertEquals(img, m.withTask(null).withFiles(List.of()).withSignature(null).image());
    String canonical = new String(m.canonicalBytes(), StandardCharsets.UTF_8);
    assertTrue(
        canonical.contains(
            "\"image\":{\"channels\":\"rgb\",\"input\":\"pixels\",\"interpolation\":\"bilinear\","
                + "\"layout\":\"nchw\",\"mean\":[0.5,0.5,0.5],\"resize\":32,"
                + "\"scale\":0.00392156862745098,\"std\":[0.25,0.25,0.25]}"),
        canonical);

    KeysetHandle signing = ModelKeys.parse(ModelKeys.newSigningKeyset(), "t");
    KeysetHandle trusted = ModelKeys.parse(ModelKeys.publicKeyset(signing), "t");
    ModelManifest back = ModelManifest.fromJson(ModelKeys.sign(m, signing).toJson(), "t");
    ModelKeys.verify(back, List.of(trusted), true);
    ModelManifest otherStd = back.withImage(image("rgb", "nchw", 32, 0.5));
    InferlakeException e =
        assertThrows(
            InferlakeException.class, () -> ModelKeys.verify(otherStd, List.of(trusted), true));
    assertEquals(ErrorKind.MODEL, e.kind());
  }

  @Test
  void preprocessingThatDoesNotFitTheInputIsRefusedSayingWhy() {
    ModelManifest m = ModelManifest.fromJson(IMAGE, "t");
    assertEquals(
        "the image preprocessing of model 'm:v1' declares grey (1 channels) in layout nchw, but"
            + " input pixels (float[-1, 3, 28, 28]) has 3",
        refusal(m, image("grey", "nchw", 32, 1)));
    assertEquals(
        "the image preprocessing of model 'm:v1' declares rgb (3 channels) in layout nhwc, but"
            + " input pixels (float[-1, 3, 28, 28]) has 28",
        refusal(m, image("rgb", "nhwc", 32, 1)));
    assertEquals(
        "the image preprocessing of model 'm:v1' resizes the shorter side to 20, less than the"
            + " 28x28 crop the input takes",
        refusal(m, image("rgb", "nchw", 20, 1)));
    assertEquals(
        "the image preprocessing of model 'm:v1' needs finite means and stds above 0, got mean"
            + " [0.5, 0.5, 0.5], std [0.0, 0.0, 0.0]",
        refusal(m, image("rgb", "nchw", 32, 0)));
    ModelManifest.Image other =
        new ModelManifest.Image(
            "x", "rgb", "nchw", 32, "bilinear", 1.0 / 255, List.of(0.0), List.of(1.0));
    assertEquals(
        "the image preprocessing of model 'm:v1' names input 'x', which the model does not have",
        refusal(m, other));
  }

  private static String refusal(ModelManifest m, ModelManifest.Image img) {
    InferlakeException e = assertThrows(InferlakeException.class, () -> m.withImage(img));
    assertEquals(ErrorKind.MODEL, e.kind());
    return e.getMessage();
  }
}
