package dev.inferlake.executors;

import ai.onnx.proto.OnnxMl;
import com.github.luben.zstd.ZstdInputStream;
import dev.inferlake.executors.internal.ScoringErrors;
import dev.inferlake.executors.internal.TempFolders;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * Storage shipping: each executor fetches a version's package from the registry itself (through
 * Hadoop's {@code FileSystem}) instead of receiving it by broadcast. {@link #materialize} fills a
 * local cache folder once per executor JVM and package: payload and external data files are
 * streamed through zstd to disk (no 2 GiB array limit), each checked against its digest, in a
 * temporary folder that is renamed into place when complete, so a reader never sees a partial model
 * and a lost race between two tasks is harmless.
 *
 * @param folderUri the version's registry folder, e.g. {@code hdfs:///models/churn/v3}
 */
public record StorageModelSource(String folderUri) implements ModelSource {
  static final String PAYLOAD = "model.zst";
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
  static final String FILES = "files";

  /** Cache folders this JVM filled or checked: later tasks take their model as it is. */
  private static final Set<Path> CHECKED = ConcurrentHashMap.newKeySet();

  /** Test seam: this JVM forgets which cache folders it has checked, as a new executor JVM. */
  static void forgetCheckedFolders() {
    CHECKED.clear();
  }

  /** The raw payload, for encrypted models, which are decrypted in memory only. */
  @Override
  public byte[] bytes() {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(folderUri, PAYLOAD);
    try (InputStream in = p.getFileSystem(hadoop()).open(p)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw ScoringErrors.fetchFailed(p.toString(), e);
    }
  }

  /**
   * Returns the local path of the model file, fetching and verifying the package first if this JVM
   * has not.
   */
  public Path materialize(ModelManifest m) {
    Path root = cacheRoot();
    Path done = root.resolve(folderName(m));
    Path model = done.resolve("model.onnx");
    if (Files.isRegularFile(model)) {
      if (CHECKED.contains(done) || holds(done, m)) {
        CHECKED.add(done);
        return model;
      }
      // not what the manifest describes (planted, or half-deleted): fetch it again
      TempFolders.deleteQuietly(done);
    }
    // A package's model is packed from one array, so no genuine manifest gives more than
    // MAX_RAW_BYTES: a larger (unsigned, edited) size must not become the decompression cap.
    if (m.rawBytes() < 0 || m.rawBytes() > ModelPackage.MAX_RAW_BYTES) {
      throw ScoringErrors.rawSizeOutOfRange(m.label(), m.rawBytes(), ModelPackage.MAX_RAW_BYTES);
    }
    Path tmp = null;
    try {
      Files.createDirectories(root);
      tmp = Files.createTempDirectory(root, ".fetch-");
      fetch(
          new org.apache.hadoop.fs.Path(folderUri, PAYLOAD),
          tmp.resolve("model.onnx"),
          m.packedSha256(),
          m.sha256(),
          m.rawBytes(),
          m.label());
      for (ModelManifest.DataFile f : m.filesOrEmpty()) {
        Path target = tmp.resolve(f.path()).normalize();
        if (!target.startsWith(tmp)) {
          throw ScoringErrors.unsafeDataFile(m.label(), f.path());
        }
        Files.createDirectories(target.getParent());
        fetch(
            new org.apache.hadoop.fs.Path(
                new org.apache.hadoop.fs.Path(folderUri, FILES), f.path() + ".zst"),
            target,
            null,
            f.sha256(),
            f.bytes(),
            m.label());
      }
      if (m.format() == dev.inferlake.model.ModelFormat.ONNX) {
        OnnxMl.ModelProto proto =
            OnnxMl.ModelProto.parseFrom(Files.readAllBytes(tmp.resolve("model.onnx")));
        ModelPackage.checkExternalData(proto, "model '" + m.label() + "'", tmp);
      }
      try {
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
        CHECKED.add(done);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException lostRace) {
        // Another task of this JVM finished first: its copy is as good as ours, once checked.
        if (!CHECKED.contains(done) && !holds(done, m)) {
          throw ScoringErrors.fetchFailed(done.toString(), lostRace);
        }
        CHECKED.add(done);
      }
      return model;
    } catch (IOException e) {
      throw ScoringErrors.fetchFailed(folderUri, e);
    } finally {
      if (tmp != null) {
        TempFolders.deleteQuietly(tmp);
      }
    }
  }

  /**
   * The cache folder of a package: a digest inferlake computes over the model's and its data files'
   * raw digests (which every signature covers), each checked to be a sha256 digest first. Nothing
   * read from the manifest is used as a path as it is.
   */
  static String folderName(ModelManifest m) {
    StringBuilder key = new StringBuilder(checkedDigest(m, m.sha256()));
    for (ModelManifest.DataFile f : m.filesOrEmpty()) {
      key.append('\n').append(checkedDigest(m, f.sha256()));
    }
    checkedDigest(m, m.packedSha256());
    return ModelDigest.sha256(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .substring(ModelDigest.PREFIX.length());
  }

  private static String checkedDigest(ModelManifest m, String digest) {
    if (digest == null || !SHA256.matcher(digest).matches()) {
      throw ScoringErrors.notADigest(m.label(), digest);
    }
    return digest;
  }

  /** Whether a cache folder holds exactly the model and data files the manifest describes. */
  private static boolean holds(Path folder, ModelManifest m) {
    try {
      if (!rawDigest(folder.resolve("model.onnx")).equals(m.sha256())) {
        return false;
      }
      for (ModelManifest.DataFile f : m.filesOrEmpty()) {
        Path file = folder.resolve(f.path()).normalize();
        if (!file.startsWith(folder) || !rawDigest(file).equals(f.sha256())) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String rawDigest(Path file) throws IOException {
    MessageDigest md = ModelDigest.newSha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return ModelDigest.format(md);
  }

  /**
   * Streams a zstd file to {@code target}, checking sizes and digests.
   *
   * @param rawBytes the size the file must decompress to exactly; decompression stops past it
   */
  private static void fetch(
      org.apache.hadoop.fs.Path src,
      Path target,
      String packedSha,
      String rawSha,
      long rawBytes,
      String model)
      throws IOException {
    MessageDigest packed = ModelDigest.newSha256();
    MessageDigest raw = ModelDigest.newSha256();
    FileSystem fs = src.getFileSystem(hadoop());
    long n;
    try (InputStream in =
            new DigestInputStream(
                new ZstdInputStream(new DigestInputStream(fs.open(src), packed)), raw);
        OutputStream out = Files.newOutputStream(target)) {
      n = copy(in, out, rawBytes, model);
    }
    // digest() resets the digest: read each value once.
    String packedActual = ModelDigest.format(packed);
    String rawActual = ModelDigest.format(raw);
    if (packedSha != null && !packedSha.equals(packedActual)) {
      throw ScoringErrors.fetchedDigestMismatch(model, src.toString(), packedSha, packedActual);
    }
    if (n != rawBytes) {
      throw ScoringErrors.fetchedSizeMismatch(model, src.toString(), rawBytes, n);
    }
    if (!rawSha.equals(rawActual)) {
      throw ScoringErrors.fetchedDigestMismatch(model, src.toString(), rawSha, rawActual);
    }
  }

  private static long copy(InputStream in, OutputStream out, long limit, String model)
      throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    for (int r; (r = in.read(buf)) > 0; ) {
      total += r;
      if (total > limit) {
        throw ScoringErrors.fetchedTooLarge(model, limit);
      }
      out.write(buf, 0, r);
    }
    return total;
  }

  private static Path cacheRoot() {
    // Spark's per-application scratch folder on executors, removed when the application ends.
    String base =
        SparkEnv.get() != null
            ? SparkFiles.getRootDirectory()
            : System.getProperty("java.io.tmpdir");
    return Path.of(base, "inferlake-models");
  }

  static Configuration hadoop() {
    return SparkEnv.get() != null ? SparkHadoopUtil.get().conf() : new Configuration();
  }
}
