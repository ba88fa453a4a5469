package dev.inferlake.model;

import ai.onnx.proto.OnnxMl;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import com.google.crypto.tink.Aead;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;

/**
 * The model package: the raw model compressed with zstd and, optionally, encrypted with AES-256-GCM
 * (Tink), the model's name and version bound as associated data so a payload cannot be passed off
 * as another model's. Unpacking decrypts, decompresses under a size cap, and checks the digest
 * before anyone may hand the bytes to an engine.
 */
public final class ModelPackage {
  /** Default cap on a decompressed model: what one Java byte array holds. */
  public static final long MAX_RAW_BYTES = Integer.MAX_VALUE - 16;

  private static final int ZSTD_LEVEL = 9;

  /** A packed model: manifest plus payload bytes. */
  public record Packed(ModelManifest manifest, byte[] payload) {}

  private ModelPackage() {}

  /**
   * Packs a raw model.
   *
   * @param aead encrypts the payload when non-null
   * @param lineage the version this one derives from, or null
   * @param rewrite how the model was made from another version, or null
   * @throws InferlakeException MODEL when the bytes are not an ONNX model, or carry external data
   */
  public static Packed pack(
      byte[] raw,
      String name,
      String version,
      Aead aead,
      String lineage,
      ModelManifest.Rewrite rewrite,
      Instant created) {
    return pack(raw, name, version, aead, lineage, rewrite, created, null);
  }

  /**
   * Packs a raw model that may keep tensors in external data files inside {@code folder} (the files
   * themselves are stored separately, see {@link #externalDataFiles}).
   *
   * @param folder the model's folder, or null for a single-file model
   */
  public static Packed pack(
      byte[] raw,
      String name,
      String version,
      Aead aead,
      String lineage,
      ModelManifest.Rewrite rewrite,
      Instant created,
      Path folder) {
    String what = "model '" + name + ":" + version + "'";
    ModelFormat format = ModelFormat.detect(raw, what);
    if (format == ModelFormat.ONNX) {
      checkExternalData(parse(raw, what), what, folder);
    }
    ModelSignature sig = format.signature(raw, what);
    byte[] payload = Zstd.compress(raw, ZSTD_LEVEL);
    if (aead != null) {
      try {
        payload = aead.encrypt(payload, associatedData(name, version));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM encryption failed", e);
      }
    }
    ModelManifest m =
        new ModelManifest(
            name,
            version,
            format,
            ModelDigest.sha256(raw),
            raw.length,
            payload.length,
            ModelManifest.ZSTD,
            aead == null ? ModelManifest.NONE : ModelManifest.AES256_GCM,
            rewrite,
            lineage,
            created.toString(),
            ModelManifest.tensors(sig.inputs()),
            ModelManifest.tensors(sig.outputs()),
            null,
            ModelDigest.sha256(payload),
            null);
    return new Packed(m, payload);
  }

  /**
   * Recovers the raw model from a payload and checks it against the manifest.
   *
   * @param aead decrypts an encrypted payload; may be null for an unencrypted one
   * @param maxRawBytes refuse models that decompress beyond this, beyond {@link #MAX_RAW_BYTES}
   *     (what one array holds), or beyond the manifest's size; the manifest's size may lower the
   *     cap, never raise it, and sizes no buffer before the bytes arrive
   * @throws InferlakeException MODEL on a wrong key, altered payload, oversize, corrupt data,
   *     negative manifest size or digest mismatch
   */
  public static byte[] unpack(ModelManifest m, byte[] payload, Aead aead, long maxRawBytes) {
    String what = "model '" + m.label() + "'";
    byte[] compressed = payload;
    if (m.encrypted()) {
      if (aead == null) {
        throw ModelErrors.keyNeeded(what);
      }
      try {
        compressed = aead.decrypt(payload, associatedData(m.name(), m.version()));
      } catch (GeneralSecurityException e) {
        throw ModelErrors.decryptFailed(what, e);
      }
    }
    if (m.rawBytes() < 0) {
      throw ModelErrors.corrupt(what, "its manifest gives a negative raw size", null);
    }
    long limit = Math.min(Math.min(maxRawBytes, MAX_RAW_BYTES), m.rawBytes());
    byte[] raw = decompress(compressed, limit, what);
    String actual = ModelDigest.sha256(raw);
    if (!actual.equals(m.sha256())) {
      throw ModelErrors.digestMismatch(what, m.sha256(), actual);
    }
    ModelFormat.detect(raw, what);
    return raw;
  }

  private static byte[] decompress(byte[] compressed, long limit, String what) {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, 1 << 20));
    byte[] buf = new byte[1 << 16];
    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(compressed))) {
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > limit) {
          throw ModelErrors.tooLarge(what, limit);
        }
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      throw ModelErrors.corrupt(what, "its zstd payload cannot be read: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** The distinct external data file locations of an ONNX model, in first-use order. */
  public static java.util.List<String> externalDataFiles(byte[] raw, String what) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (OnnxMl.TensorProto t : parse(raw, what).getGraph().getInitializerList()) {
      if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
        t.getExternalDataList().stream()
            .filter(e -> e.getKey().equals("location"))
            .forEach(e -> out.add(e.getValue()));
      }
    }
    return java.util.List.copyOf(out);
  }

  static byte[] associatedData(String name, String version) {
    return ("inferlake-model:" + name + ":" + version).getBytes(StandardCharsets.UTF_8);
  }

  private static OnnxMl.ModelProto parse(byte[] raw, String what) {
    try {
      return OnnxMl.ModelProto.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw ModelErrors.corrupt(what, e.getMessage(), e);
    }
  }

  /**
   * Checks tensors stored in external data files.
   *
   * @param folder the model's own folder when the model is loaded from a file there; null for a
   *     single-file package, which can carry no external data at all
   * @throws InferlakeException MODEL for external data a package cannot carry, or a location that
   *     leaves the model's folder (absolute, {@code ..}, or a link pointing out)
   */
  public static void checkExternalData(OnnxMl.ModelProto model, String what, Path folder) {
    for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDataLocation() != OnnxMl.TensorProto.DataLocation.EXTERNAL) {
        continue;
      }
      String location =
          t.getExternalDataList().stream()
              .filter(e -> e.getKey().equals("location"))
              .map(OnnxMl.StringStringEntryProto::getValue)
              .findFirst()
              .orElse("");
      if (folder == null) {
        throw ModelErrors.externalDataNotShippable(what, t.getName());
      }
      Path p = Path.of(location);
      Path resolved = folder.resolve(p).normalize();
      boolean escapes = p.isAbsolute() || location.isEmpty() || !resolved.startsWith(folder);
      try {
        escapes |= !resolved.toRealPath().startsWith(folder.toRealPath());
      } catch (IOException e) {
        // A missing file is ONNX Runtime's to report; only the path's shape is judged here.
      }
      if (escapes) {
        throw ModelErrors.unsafeExternalData(what, t.getName(), location);
      }
    }
  }
}
