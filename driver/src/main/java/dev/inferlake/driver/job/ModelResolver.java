package dev.inferlake.driver.job;

import com.google.crypto.tink.KeysetHandle;
import dev.inferlake.driver.registry.ModelRegistry;
import dev.inferlake.driver.registry.RegistryErrors;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelKeys;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Finds each model of a job: a file path (any Hadoop URI), packed on the driver for shipping, or
 * {@code name:version} in the job's registry, shipped as stored. Applies the job's signature policy
 * before anything is scored.
 */
public final class ModelResolver {
  private ModelResolver() {}

  public static List<ResolvedModel> resolve(Configuration hadoop, JobSpec spec, Clock clock) {
    JobSpec.Security sec = spec.securityOrDefault();
    List<KeysetHandle> trusted = new ArrayList<>();
    for (String f : sec.trustedKeysOrEmpty()) {
      trusted.add(trustedKey(f));
    }
    ModelRegistry registry =
        spec.registry() == null ? null : new ModelRegistry(spec.registry(), hadoop);
    List<ResolvedModel> out = new ArrayList<>();
    for (JobSpec.Model m : spec.models()) {
      boolean byPath = m.path() != null && !m.path().isBlank();
      if (byPath && spec.storageShipping()) {
        throw JobErrors.storageNeedsRegistry(m.label());
      }
      ResolvedModel r;
      if (byPath) {
        r = fromFile(hadoop, m, clock);
      } else {
        ModelManifest manifest = registry.manifest(m.name(), m.version());
        if (!manifest.filesOrEmpty().isEmpty() && !spec.storageShipping()) {
          throw JobErrors.needsStorageShipping(m.label());
        }
        // In storage mode the driver never reads the payload: executors fetch it.
        byte[] payload = spec.storageShipping() ? null : registry.payload(m.name(), m.version());
        if (payload != null && !ModelDigest.sha256(payload).equals(manifest.packedSha256())) {
          throw RegistryErrors.packageMismatch(
              m.label(), manifest.packedSha256(), ModelDigest.sha256(payload));
        }
        // the driver reads the tokenizer (checked against the manifest) only to broadcast it
        byte[] tokenizer =
            manifest.tokenizer() != null && !spec.storageShipping()
                ? registry.tokenizer(m.name(), m.version())
                : null;
        r =
            new ResolvedModel(
                m, registry.folderUri(m.name(), m.version()), manifest, payload, null, tokenizer);
      }
      String signer = ModelKeys.verify(r.manifest(), trusted, sec.signatureRequired());
      out.add(
          new ResolvedModel(
              r.spec(), r.location(), r.manifest(), r.payload(), signer, r.tokenizer()));
    }
    return out;
  }

  /** A trusted keyset from a local file or any Hadoop URI. */
  private static KeysetHandle trustedKey(String location) {
    String json;
    try {
      json =
          new String(
              JobFiles.readBytes(location, 1 << 20), java.nio.charset.StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      throw RegistryErrors.keyFileUnreadable(location, "no such file", e);
    } catch (IOException e) {
      throw RegistryErrors.keyFileUnreadable(location, e.toString(), e);
    }
    return ModelKeys.parse(json, "file " + location);
  }

  private static ResolvedModel fromFile(Configuration hadoop, JobSpec.Model m, Clock clock) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(m.path());
    byte[] bytes;
    String location;
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus st = fs.getFileStatus(path);
      location = st.getPath().toString();
      if (st.isDirectory()) {
        throw RegistryErrors.modelUnreadable(
            m.label(), m.path(), "it is a directory, not a model file", null);
      }
      if (st.getLen() > ModelPackage.MAX_RAW_BYTES) {
        throw RegistryErrors.modelUnreadable(
            m.label(), m.path(), "it is " + st.getLen() + " bytes, over the 2 GiB limit", null);
      }
      try (InputStream in = fs.open(path)) {
        bytes = in.readAllBytes();
      }
    } catch (FileNotFoundException e) {
      throw RegistryErrors.modelUnreadable(m.label(), m.path(), "no such file", e);
    } catch (IOException e) {
      throw RegistryErrors.modelUnreadable(m.label(), m.path(), e.toString(), e);
    }
    ModelPackage.Packed p;
    try {
      p = ModelPackage.pack(bytes, m.name(), m.version(), null, null, null, clock.instant());
    } catch (dev.inferlake.model.InferlakeException e) {
      // Name the file too: the same model name may come from several places.
      throw new dev.inferlake.model.InferlakeException(
          e.kind(), e.getMessage() + " (" + location + ")", e);
    }
    return new ResolvedModel(m, location, p.manifest(), p.payload(), null);
  }
}
