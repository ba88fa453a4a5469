package dev.inferlake.driver;

import com.google.crypto.tink.Aead;
import dev.inferlake.driver.internal.JobErrors;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model registry: a folder on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:})
 * with one folder per name and version, each holding {@code model.zst} (the package payload) and
 * {@code manifest.json}. The manifest is written last, so a version exists exactly when its
 * manifest does; versions are immutable except for adding a signature.
 */
public final class ModelRegistry {
  static final String MANIFEST = "manifest.json";
  static final String PAYLOAD = "model.zst";

  private final Path root;
  private final Configuration hadoop;

  public ModelRegistry(String root, Configuration hadoop) {
    this.root = new Path(root);
    this.hadoop = hadoop;
  }

  /** The registry's location, as messages show it. */
  public String location() {
    return root.toString();
  }

  /** Where a version's files live. */
  public Path folder(String name, String version) {
    return new Path(new Path(root, name), version);
  }

  /** The URI of a version's payload, readable by executors through Hadoop. */
  public String payloadUri(String name, String version) {
    return qualified(new Path(folder(name, version), PAYLOAD));
  }

  /**
   * Packs and stores a raw model.
   *
   * @param aead encrypts the payload when non-null
   * @throws InferlakeException USAGE when the version exists; MODEL when the model is refused
   */
  public ModelManifest register(
      String name, String version, byte[] raw, Aead aead, String lineage, Clock clock) {
    Path dir = folder(name, version);
    if (exists(new Path(dir, MANIFEST))) {
      throw JobErrors.alreadyRegistered(name + ":" + version, qualified(dir));
    }
    ModelPackage.Packed p =
        ModelPackage.pack(raw, name, version, aead, lineage, null, clock.instant());
    writeAtomically(new Path(dir, PAYLOAD), p.payload());
    writeManifest(p.manifest());
    return p.manifest();
  }

  /** Replaces a version's manifest, e.g. to add a signature; its digest must not change. */
  public void writeManifest(ModelManifest m) {
    writeAtomically(
        new Path(folder(m.name(), m.version()), MANIFEST),
        m.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a version's manifest.
   *
   * @throws InferlakeException MODEL when the version is not registered
   */
  public ModelManifest manifest(String name, String version) {
    Path p = new Path(folder(name, version), MANIFEST);
    try {
      return ModelManifest.fromJson(
          new String(read(p), StandardCharsets.UTF_8), "model '" + name + ":" + version + "'");
    } catch (FileNotFoundException e) {
      throw JobErrors.notRegistered(name + ":" + version, location());
    } catch (IOException e) {
      throw JobErrors.modelUnreadable(name + ":" + version, qualified(p), e.toString(), e);
    }
  }

  /** Reads a version's payload (compressed, and encrypted if the manifest says so). */
  public byte[] payload(String name, String version) {
    return readPayload(payloadUri(name, version), name + ":" + version, hadoop);
  }

  /** Reads a payload by URI, as executors do in storage mode. */
  public static byte[] readPayload(String uri, String model, Configuration hadoop) {
    Path p = new Path(uri);
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw JobErrors.modelUnreadable(model, uri, e.toString(), e);
    }
  }

  /** Every registered version, sorted by name then version. */
  public List<ModelManifest> list() {
    List<ModelManifest> out = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      if (!fs.exists(root)) {
        return out;
      }
      for (FileStatus name : fs.listStatus(root)) {
        if (!name.isDirectory()) {
          continue;
        }
        for (FileStatus version : fs.listStatus(name.getPath())) {
          if (version.isDirectory() && fs.exists(new Path(version.getPath(), MANIFEST))) {
            out.add(manifest(name.getPath().getName(), version.getPath().getName()));
          }
        }
      }
    } catch (IOException e) {
      throw new InferlakeException(
          dev.inferlake.model.ErrorKind.MODEL,
          "registry " + location() + " cannot be listed: " + e,
          e);
    }
    out.sort(Comparator.comparing(ModelManifest::name).thenComparing(ModelManifest::version));
    return out;
  }

  private boolean exists(Path p) {
    try {
      return p.getFileSystem(hadoop).exists(p);
    } catch (IOException e) {
      throw new InferlakeException(
          dev.inferlake.model.ErrorKind.MODEL,
          "registry " + location() + " cannot be read: " + e,
          e);
    }
  }

  private byte[] read(Path p) throws IOException {
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      return in.readAllBytes();
    }
  }

  /** Writes beside the target, then renames into place, so readers never see a partial file. */
  private void writeAtomically(Path target, byte[] data) {
    Path tmp =
        new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      fs.mkdirs(target.getParent());
      try {
        try (OutputStream out = fs.create(tmp, false)) {
          out.write(data);
        }
        if (fs.exists(target)) {
          fs.delete(target, false);
        }
        if (!fs.rename(tmp, target)) {
          throw new IOException("rename of " + tmp + " to " + target + " failed");
        }
      } finally {
        if (fs.exists(tmp)) {
          fs.delete(tmp, false);
        }
      }
    } catch (IOException e) {
      throw new InferlakeException(
          dev.inferlake.model.ErrorKind.RUN, "writing " + qualified(target) + " failed: " + e, e);
    }
  }

  private String qualified(Path p) {
    try {
      return p.getFileSystem(hadoop).makeQualified(p).toString();
    } catch (IOException e) {
      return p.toString();
    }
  }
}
