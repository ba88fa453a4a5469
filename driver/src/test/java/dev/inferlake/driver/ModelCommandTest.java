package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.model.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inferlake model keygen} and {@code model sign} against an attacker with write access to
 * the registry folder (issue 17, items 4 and 9). Runs the CLI in this JVM on the local file system;
 * no Spark.
 */
class ModelCommandTest {
  @TempDir static Path dir;
  static String registry;
  static String keys;

  @BeforeAll
  static void setUp() throws Exception {
    registry = dir.resolve("registry").toString();
    keys = Files.createDirectories(dir.resolve("keys")).toString();
    ok("model", "keygen", "--type", "signing", "--out", keys + "/sign.json");
    TestModels.linear(2, 3, 51).writeTo(dir, "m.onnx");
    for (String v : new String[] {"v1", "v2", "v5"}) {
      ok(ModelRegistration.of(registry, "m", v, dir.resolve("m.onnx")).args());
    }
  }

  static Cli ok(String... args) {
    Cli r = Cli.run(args);
    assertEquals(0, r.exitCode(), r.err());
    return r;
  }

  static Cli sign(String ref) {
    return Cli.run("model", "--registry", registry, "sign", "--key", keys + "/sign.json", ref);
  }

  @Test
  void keygenCreatesAnOwnerOnlyFileAndNeverOverwritesWithoutForce() throws Exception {
    Path out = dir.resolve("keys/enc.json");
    ok("model", "keygen", "--type", "encryption", "--out", out.toString());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    byte[] first = Files.readAllBytes(out);

    Cli again = Cli.run("model", "keygen", "--type", "encryption", "--out", out.toString());
    assertEquals(2, again.exitCode(), again.err());
    assertTrue(again.errorLine().contains(out.toString()), again.errorLine());
    assertTrue(again.errorLine().contains("--force"), again.errorLine());
    assertArrayEquals(first, Files.readAllBytes(out), "the existing key is kept");

    ok("model", "keygen", "--type", "encryption", "--out", out.toString(), "--force");
    assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(out)), "a new key");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
  }

  @Test
  void keygenNeverWritesThroughASymlink() throws Exception {
    Path target = Files.writeString(dir.resolve("not-a-key.txt"), "precious");
    Path link = Files.createSymbolicLink(dir.resolve("keys/link.json"), target);
    Cli r = Cli.run("model", "keygen", "--type", "encryption", "--out", link.toString());
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("precious", Files.readString(target));

    ok("model", "keygen", "--type", "encryption", "--out", link.toString(), "--force");
    assertEquals("precious", Files.readString(target), "the link's target is untouched");
    assertFalse(Files.isSymbolicLink(link), "the link itself was replaced by the key file");
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(link, LinkOption.NOFOLLOW_LINKS)));
  }

  @Test
  void signRefusesAVersionWhosePayloadDoesNotMatchItsManifest() throws Exception {
    Path folder = Path.of(registry, "m", "v2");
    Path payload = folder.resolve("model.zst");
    byte[] bytes = Files.readAllBytes(payload);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(payload, bytes);
    Files.deleteIfExists(folder.resolve(".model.zst.crc")); // as on an object store
    String manifest = Files.readString(folder.resolve("manifest.json"));

    Cli r = sign("m:v2");
    assertEquals(4, r.exitCode(), r.err());
    assertTrue(r.errorLine().contains("m:v2"), r.errorLine());
    assertEquals(manifest, Files.readString(folder.resolve("manifest.json")), "nothing signed");
  }

  @Test
  void signWritesOnlyTheFolderOfTheVersionItWasAsked() throws Exception {
    // an attacker drops v1's manifest (and payload) into a new folder v3
    Path v1 = Path.of(registry, "m", "v1");
    Path v3 = Files.createDirectories(Path.of(registry, "m", "v3"));
    try (Stream<Path> files = Files.list(v1)) {
      for (Path f : files.toList()) {
        Files.copy(f, v3.resolve(f.getFileName()));
      }
    }
    String v1Manifest = Files.readString(v1.resolve("manifest.json"));
    Cli r = sign("m:v3");
    assertEquals(4, r.exitCode(), r.err());
    assertEquals(v1Manifest, Files.readString(v1.resolve("manifest.json")), "v1 untouched");

    Cli good = sign("m:v5");
    assertEquals(0, good.exitCode(), good.err());
    assertTrue(
        Files.readString(Path.of(registry, "m", "v5", "manifest.json")).contains("signature"));
  }
}
