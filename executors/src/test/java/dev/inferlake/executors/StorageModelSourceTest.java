package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.testing.ScoredModels;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import dev.inferlake.model.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage shipping's local cache folder against files planted or changed in it (issue 17, item 2):
 * only a digest inferlake computed names a folder, and a folder this JVM did not fill is checked
 * before its model is handed out.
 */
class StorageModelSourceTest {
  private static final StructType SCHEMA =
      new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType, false));

  /** A registry folder holding the model's payload, and its manifest. */
  private static ModelManifest stored(Path registry, long seed) throws Exception {
    ScoredModel m = ScoredModels.linear("m", "v" + seed, 4, 2, seed, SCHEMA, List.of("x"));
    Files.createDirectories(registry);
    Files.write(registry.resolve(StorageModelSource.PAYLOAD), m.source().bytes());
    return m.manifest();
  }

  private static String digestOf(Path file) throws Exception {
    return ModelDigest.sha256(Files.readAllBytes(file));
  }

  @Test
  void aChangedFileInTheCacheIsNotHandedOutToAJvmThatDidNotFillIt(@TempDir Path dir)
      throws Exception {
    ModelManifest m = stored(dir.resolve("reg"), 61);
    StorageModelSource source = new StorageModelSource(dir.resolve("reg").toUri().toString());
    Path model = source.materialize(m);
    assertEquals(m.sha256(), digestOf(model));

    // another model's bytes put in its place, as by a process with write access to the folder,
    // then a JVM that has not checked the folder yet
    Files.write(model, TestModels.linear(4, 2, 62).onnxBytes());
    StorageModelSource.forgetCheckedFolders();
    Path again = source.materialize(m);
    assertEquals(m.sha256(), digestOf(again), "the planted model is never loaded");
  }

  @Test
  void anUnsignedPayloadDigestNeverNamesAFolder(@TempDir Path dir) throws Exception {
    ModelManifest real = stored(dir.resolve("reg"), 63);
    // the manifest's packed digest edited into a path, with a model planted where it points
    ModelManifest forged =
        ModelManifest.fromJson(
            real.toJson().replace(real.packedSha256(), "sha256:../planted"), "t");
    Path planted = Path.of(System.getProperty("java.io.tmpdir"), "planted", "model.onnx");
    Files.createDirectories(planted.getParent());
    Files.write(planted, TestModels.linear(4, 2, 64).onnxBytes());
    StorageModelSource source = new StorageModelSource(dir.resolve("reg").toUri().toString());

    InferlakeException e = assertThrows(InferlakeException.class, () -> source.materialize(forged));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertNotEquals(ModelDigest.sha256(Files.readAllBytes(planted)), real.sha256());
  }

  /** The manifest with its (unsigned) raw_bytes edited to {@code rawBytes}. */
  private static ModelManifest withRawBytes(ModelManifest m, long rawBytes) {
    String json = m.toJson();
    String edited = json.replace("\"raw_bytes\" : " + m.rawBytes(), "\"raw_bytes\" : " + rawBytes);
    assertNotEquals(json, edited, "the edit took");
    return ModelManifest.fromJson(edited, "t");
  }

  @Test
  void anEditedRawSizeNeverRaisesTheDecompressionCapAboveThePackageLimit(@TempDir Path dir)
      throws Exception {
    ModelManifest real = stored(dir.resolve("reg"), 65);
    StorageModelSource source = new StorageModelSource(dir.resolve("reg").toUri().toString());
    ModelManifest huge = withRawBytes(real, Long.MAX_VALUE);
    InferlakeException e = assertThrows(InferlakeException.class, () -> source.materialize(huge));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertTrue(
        e.getMessage().contains(String.valueOf(ModelPackage.MAX_RAW_BYTES)),
        "refused at the package limit, not decompressed up to the manifest's size: "
            + e.getMessage());

    // a smaller size than the model's: refused, never truncated
    ModelManifest smaller = withRawBytes(real, real.rawBytes() - 1);
    InferlakeException s =
        assertThrows(InferlakeException.class, () -> source.materialize(smaller));
    assertEquals(ErrorKind.MODEL, s.kind());
    assertTrue(s.getMessage().contains("more than"), s.getMessage());
  }
}
