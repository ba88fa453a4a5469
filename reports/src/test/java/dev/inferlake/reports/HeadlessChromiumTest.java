package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The browser harness catches what a reader of a report would notice. */
class HeadlessChromiumTest {
  private static final Path DIR = Path.of("target", "browser-test");
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /**
   * The test image's colour: one no page default uses, so the screenshot can be searched for it.
   */
  private static final Color MARKER = new Color(0x12, 0xc4, 0x7a);

  private static HeadlessChromium browser;

  @BeforeAll
  static void startBrowser() throws Exception {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(DIR);
    browser = HeadlessChromium.start(DIR);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void aGoodPageShowsItsImageAndTableAndLogsNoError() throws Exception {
    String png = Base64.getEncoder().encodeToString(png(40, 30));
    Path html =
        page(
            "good.html",
            "<!doctype html><html><head><meta charset=utf-8><title>Run r1 report</title></head>"
                + "<body><h1>Run r1</h1><table><tr><th>version</th><th>rows</th></tr>"
                + "<tr><td>v1</td><td>1,000</td></tr></table>"
                + "<img alt=\"rows per version\" src=\"data:image/png;base64,"
                + png
                + "\"></body></html>");
    Path shot = DIR.resolve("good.png");
    Files.deleteIfExists(shot);

    HeadlessChromium.PageReport report = browser.open(html, shot);

    assertEquals(List.of(), report.consoleErrors());
    assertEquals("Run r1 report", report.title());
    assertEquals(1, report.tables());
    assertEquals(1, report.images().size(), report.images().toString());
    HeadlessChromium.Image image = report.images().get(0);
    assertEquals("rows per version", image.alt());
    assertEquals("data:image/png;base64,iVBORw0K", image.srcPrefix());
    assertEquals(40, image.naturalWidth());
    assertEquals(30, image.naturalHeight());
    assertTrue(image.width() > 0 && image.height() > 0, image.toString());

    assertEquals(shot, report.screenshot());
    byte[] bytes = Files.readAllBytes(shot);
    assertTrue(bytes.length > PNG_SIGNATURE.length, "screenshot is " + bytes.length + " bytes");
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length));
    BufferedImage screenshot = ImageIO.read(shot.toFile());
    assertNotNull(screenshot, "ImageIO cannot decode " + shot);
    assertTrue(screenshot.getWidth() > 0 && screenshot.getHeight() > 0);
    // The image was really painted: its colour covers about its 40 x 30 pixels.
    int painted = 0;
    for (int y = 0; y < screenshot.getHeight(); y++) {
      for (int x = 0; x < screenshot.getWidth(); x++) {
        if (near(new Color(screenshot.getRGB(x, y)), MARKER)) {
          painted++;
        }
      }
    }
    assertTrue(painted >= 40 * 30 * 9 / 10, painted + " pixels of the image's colour in " + shot);
  }

  @Test
  void consoleErrorsAndUncaughtExceptionsAreCaught() throws Exception {
    Path html =
        page(
            "script-errors.html",
            "<!doctype html><html><head><title>broken script</title></head><body><p>text</p>"
                + "<script>console.log('fine'); console.error(\"boom\");"
                + " throw new Error(\"kaput\");</script></body></html>");

    HeadlessChromium.PageReport report = browser.open(html, DIR.resolve("script-errors.png"));

    List<String> errors = report.consoleErrors();
    assertTrue(errors.stream().anyMatch(e -> e.contains("boom")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("kaput")), errors.toString());
    assertFalse(errors.stream().anyMatch(e -> e.contains("fine")), errors.toString());
    assertEquals("broken script", report.title());
  }

  @Test
  void aMissingImageFileIsCaught() throws Exception {
    Path html =
        page(
            "missing-image.html",
            "<!doctype html><html><head><title>missing image</title></head><body>"
                + "<img alt=\"missing\" src=\"does-not-exist.png\"></body></html>");
    Files.deleteIfExists(DIR.resolve("does-not-exist.png"));

    HeadlessChromium.PageReport report = browser.open(html, DIR.resolve("missing-image.png"));

    assertEquals(1, report.images().size(), report.images().toString());
    HeadlessChromium.Image image = report.images().get(0);
    assertEquals("missing", image.alt());
    assertEquals("does-not-exist.png", image.srcPrefix());
    assertEquals(0, image.naturalWidth());
    assertEquals(0, image.naturalHeight());
    assertFalse(report.consoleErrors().isEmpty(), "no error logged for the missing image");
    assertTrue(
        report.consoleErrors().stream().anyMatch(e -> e.contains("does-not-exist.png")),
        report.consoleErrors().toString());
  }

  private static Path page(String name, String html) throws IOException {
    Path file = DIR.resolve(name);
    Files.writeString(file, html, StandardCharsets.UTF_8);
    return file;
  }

  private static byte[] png(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(MARKER);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", out), "no PNG writer");
    return out.toByteArray();
  }

  private static boolean near(Color a, Color b) {
    return Math.abs(a.getRed() - b.getRed()) <= 6
        && Math.abs(a.getGreen() - b.getGreen()) <= 6
        && Math.abs(a.getBlue() - b.getBlue()) <= 6;
  }
}
