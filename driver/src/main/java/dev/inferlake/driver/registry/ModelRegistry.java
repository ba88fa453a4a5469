package dev.inferlake.driver.registry;

import com.google.crypto.tink.Aead;
import dev.inferlake.executors.TextTokenizer;
import dev.inferlake.model.CompressionMethod;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelCompression;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelFormat;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import dev.inferlake.model.TokenizerFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
  static final String FILES = "files";
  static final String TOKENIZER = "tokenizer.json";

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

  /** The URI of a version's folder, readable by executors through Hadoop. */
  public String folderUri(String name, String version) {
    return qualified(folder(name, version));
  }

  /**
   * Packs and stores a raw model.
   *
   * @param aead encrypts the payload when non-null
   * @throws InferlakeException USAGE when the version exists; MODEL when the model is refused
   */
  public ModelManifest register(
      String name, String version, byte[] raw, Aead aead, String lineage, Clock clock) {
    return register(name, version, raw, null, aead, lineage, clock);
  }

  /**
   * Packs and stores a model whose tensors may live in external data files inside {@code folder};
   * each such file is stored zstd-compressed under {@code files/}, with its digest in the manifest.
   * Such a model can only be shipped in {@code storage} mode.
   *
   * @param folder the model's local folder, or null for a single-file model
   */
  public ModelManifest register(
      String name,
      String version,
      byte[] raw,
      java.nio.file.Path folder,
      Aead aead,
      String lineage,
      Clock clock) {
    return register(name, version, raw, folder, aead, lineage, Map.of(), clock);
  }

  /**
   * As {@link #register(String, String, byte[], java.nio.file.Path, Aead, String, Clock)}, with
   * vocabulary sizes declared for integer id inputs: a row holding an id outside {@code [0, size)}
   * is then a bad row ({@code out_of_range}) rather than a failed batch.
   *
   * @param vocabSizes input name to vocabulary size; empty for none
   * @throws InferlakeException USAGE as well when a vocabulary names no integer input of the model,
   *     or a size is below 1; nothing is written then
   */
  public ModelManifest register(
      String name,
      String version,
      byte[] raw,
      java.nio.file.Path folder,
      Aead aead,
      String lineage,
      Map<String, Long> vocabSizes,
      Clock clock) {
    return store(name, version, raw, folder, aead, lineage, null, vocabSizes, null, clock);
  }

  /**
   * A text tokenizer to store with a model.
   *
   * @param json the {@code tokenizer.json} bytes (HuggingFace tokenizers format)
   * @param maxLength the longest row of ids, special tokens included
   * @param truncation which end of an over-long text loses tokens
   * @param inputs role ({@code input_ids}, {@code attention_mask}, {@code token_type_ids}) to model
   *     input name; empty: each role feeds the int64 input of the same name, where the model has
   *     one
   */
  public record TokenizerRequest(
      byte[] json,
      int maxLength,
      TextTokenizer.Truncation truncation,
      Map<String, String> inputs) {}

  /**
   * As {@link #register(String, String, byte[], java.nio.file.Path, Aead, String, Map, Clock)},
   * with a text tokenizer stored in the package ({@code tokenizer.json} beside the payload, its
   * digest and settings in the manifest, so a signature covers it).
   *
   * @param tokenizer the tokenizer, or null for none
   * @throws InferlakeException MODEL as well when the tokenizer does not load, adds more special
   *     tokens than its max length, or its inputs do not match the model's int64 inputs; nothing is
   *     written then
   */
  public ModelManifest register(
      String name,
      String version,
      byte[] raw,
      java.nio.file.Path folder,
      Aead aead,
      String lineage,
      Map<String, Long> vocabSizes,
      TokenizerRequest tokenizer,
      Clock clock) {
    return store(name, version, raw, folder, aead, lineage, null, vocabSizes, tokenizer, clock);
  }

  /**
   * The manifest entry of a tokenizer for a model, checked: it loads, its max length holds its
   * special tokens, and its inputs match the model's.
   */
  private static ModelManifest withTokenizer(ModelManifest m, TokenizerRequest t) {
    String what = "the tokenizer of model '" + m.label() + "'";
    TokenizerFile file = TokenizerFile.describe(t.json(), what);
    try (TextTokenizer loaded =
        TextTokenizer.load(t.json(), t.maxLength(), t.truncation(), m.label())) {
      loaded.encode(List.of("")); // refuses a max length shorter than the special tokens
    }
    Map<String, String> inputs = new java.util.TreeMap<>(t.inputs());
    if (inputs.isEmpty()) {
      for (String role : ModelManifest.Tokenizer.ROLES) {
        if (m.inputs().stream().anyMatch(i -> i.name().equals(role) && "int64".equals(i.type()))) {
          inputs.put(role, role);
        }
      }
    }
    return m.withTokenizer(
        new ModelManifest.Tokenizer(
            file.kind(),
            ModelDigest.sha256(t.json()),
            t.json().length,
            file.vocabSize(),
            file.specialTokens(),
            t.maxLength(),
            t.truncation().lowerName(),
            inputs));
  }

  /**
   * A compressed version and what made it.
   *
   * @param source the version it was made from
   * @param target the new version's manifest
   * @param compressed the rewrite's details (model bytes, counts, what was left as it was)
   */
  public record Compression(
      ModelManifest source, ModelManifest target, ModelCompression.Compressed compressed) {}

  /**
   * Registers {@code name:to}, the compressed form of {@code name:from}: the source is unpacked
   * (decrypted with {@code aead} when it is encrypted) and its digest checked, rewritten with the
   * method, and packed with the same encryption as the source. The manifest records the method, its
   * parameters and the source version and digest; the lineage is the source version.
   *
   * @param aead the source's key when it is encrypted (it then encrypts the new version too)
   * @param check runs on the compressed bytes before anything is written (e.g. a test load in the
   *     engine); it throws to refuse them
   * @throws InferlakeException USAGE when {@code to} exists or the method is unusable; MODEL when
   *     the source is missing, cannot be opened, or holds nothing the method rewrites
   */
  public Compression compress(
      String name,
      String from,
      String to,
      CompressionMethod method,
      Aead aead,
      java.util.function.Consumer<byte[]> check,
      Clock clock) {
    Path dir = folder(name, to);
    if (exists(new Path(dir, MANIFEST))) {
      throw RegistryErrors.alreadyRegistered(name + ":" + to, qualified(dir));
    }
    ModelManifest source = manifest(name, from);
    String what = "model '" + source.label() + "'";
    if (!source.filesOrEmpty().isEmpty()) {
      throw RegistryErrors.cannotCompressExternalData(source.label());
    }
    if (source.encrypted() && aead == null) {
      throw RegistryErrors.compressNeedsKey(source.label());
    }
    byte[] raw =
        ModelPackage.unpack(
            source,
            payload(name, from),
            source.encrypted() ? aead : null,
            ModelPackage.MAX_RAW_BYTES);
    ModelCompression.Compressed c = ModelCompression.compress(raw, method, what);
    check.accept(c.model());
    ModelManifest.Rewrite rewrite =
        new ModelManifest.Rewrite(method.spec(), c.parameters(), source.label(), source.sha256());
    ModelManifest target =
        store(
            name,
            to,
            c.model(),
            null,
            source.encrypted() ? aead : null,
            from,
            rewrite,
            source.vocabSizes(), // the compressed graph takes the same ids
            null,
            clock);
    if (source.task() != null) { // a compressed version serves its source's task
      target = target.withTask(source.task());
      writeManifest(target);
    }
    if (source.image() != null) { // and the same pictures
      target = target.withImage(source.image());
      writeManifest(target);
    }
    if (source.tokenizer() != null) { // and takes the same text
      writeAtomically(new Path(folder(name, to), TOKENIZER), tokenizer(name, from));
      target = target.withTokenizer(source.tokenizer());
      writeManifest(target);
    }
    return new Compression(source, target, c);
  }

  private ModelManifest store(
      String name,
      String version,
      byte[] raw,
      java.nio.file.Path folder,
      Aead aead,
      String lineage,
      ModelManifest.Rewrite rewrite,
      Map<String, Long> vocabSizes,
      TokenizerRequest tokenizer,
      Clock clock) {
    Path dir = folder(name, version);
    if (exists(new Path(dir, MANIFEST))) {
      throw RegistryErrors.alreadyRegistered(name + ":" + version, qualified(dir));
    }
    String what = "model '" + name + ":" + version + "'";
    ModelPackage.Packed packed =
        ModelPackage.pack(raw, name, version, aead, lineage, rewrite, clock.instant(), folder);
    // checked before anything is written
    ModelPackage.Packed p =
        vocabSizes.isEmpty()
            ? packed
            : new ModelPackage.Packed(
                packed.manifest().withVocabSizes(vocabSizes), packed.payload());
    if (tokenizer != null) {
      p = new ModelPackage.Packed(withTokenizer(p.manifest(), tokenizer), p.payload());
    }
    List<String> external =
        p.manifest().format() == ModelFormat.ONNX
            ? ModelPackage.externalDataFiles(raw, what)
            : List.of();
    if (!external.isEmpty() && aead != null) {
      throw RegistryErrors.encryptedExternalData(name + ":" + version);
    }
    List<ModelManifest.DataFile> files = new ArrayList<>();
    for (String location : external) {
      files.add(
          storeDataFile(
              name + ":" + version,
              folder.resolve(location),
              new Path(new Path(dir, FILES), location + ".zst"),
              location));
    }
    if (tokenizer != null) {
      writeAtomically(new Path(dir, TOKENIZER), tokenizer.json());
    }
    writeAtomically(new Path(dir, PAYLOAD), p.payload());
    ModelManifest m = files.isEmpty() ? p.manifest() : p.manifest().withFiles(files);
    writeManifest(m);
    return m;
  }

  /** Streams a local file through zstd into the registry, hashing the raw bytes on the way. */
  private ModelManifest.DataFile storeDataFile(
      String model, java.nio.file.Path local, Path target, String location) {
    if (!java.nio.file.Files.isRegularFile(local)) {
      throw RegistryErrors.modelUnreadable(
          model, local.toString(), "its external data file '" + location + "' is missing", null);
    }
    java.security.MessageDigest md = ModelDigest.newSha256();
    long[] bytes = new long[1];
    writeAtomically(
        target,
        out -> {
          try (InputStream in =
                  new java.security.DigestInputStream(
                      java.nio.file.Files.newInputStream(local), md);
              OutputStream z = new com.github.luben.zstd.ZstdOutputStream(out, 9)) {
            bytes[0] = in.transferTo(z);
          }
        });
    return new ModelManifest.DataFile(location, ModelDigest.format(md), bytes[0]);
  }

  /**
   * Replaces version {@code name:version}'s manifest, e.g. to add a signature; its digest must not
   * change.
   *
   * @throws IllegalArgumentException when {@code m} is the manifest of another version
   */
  public void writeManifest(String name, String version, ModelManifest m) {
    if (!m.name().equals(name) || !m.version().equals(version)) {
      throw new IllegalArgumentException(
          "the manifest of " + m.label() + " cannot go into the folder of " + name + ":" + version);
    }
    writeManifest(m);
  }

  /** Writes a manifest into its own version's folder. */
  private void writeManifest(ModelManifest m) {
    writeAtomically(
        new Path(folder(m.name(), m.version()), MANIFEST),
        m.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a version's manifest.
   *
   * @throws InferlakeException MODEL when the version is not registered, or its folder holds the
   *     manifest of another version
   */
  public ModelManifest manifest(String name, String version) {
    Path p = new Path(folder(name, version), MANIFEST);
    try {
      ModelManifest m =
          ModelManifest.fromJson(
              new String(read(p), StandardCharsets.UTF_8), "model '" + name + ":" + version + "'");
      // The signature covers the manifest's name and version, not the folder it sits in: a
      // signed version copied to another folder must not run as that other version.
      if (!m.name().equals(name) || !m.version().equals(version)) {
        throw RegistryErrors.manifestOfAnotherVersion(
            name + ":" + version, m.label(), qualified(p));
      }
      return m;
    } catch (FileNotFoundException e) {
      throw RegistryErrors.notRegistered(name + ":" + version, location());
    } catch (IOException e) {
      throw RegistryErrors.modelUnreadable(name + ":" + version, qualified(p), e.toString(), e);
    }
  }

  /**
   * Reads a version's manifest and checks its package against it: the payload's digest, for an
   * unencrypted package the model bytes' digest, and every external data file's digest.
   *
   * @throws InferlakeException MODEL naming the first part that does not match
   */
  public ModelManifest verified(String name, String version) {
    ModelManifest m = manifest(name, version);
    byte[] payload = payload(name, version);
    String packed = ModelDigest.sha256(payload);
    if (!packed.equals(m.packedSha256())) {
      throw RegistryErrors.packageMismatch(m.label(), m.packedSha256(), packed);
    }
    if (!m.encrypted()) {
      ModelPackage.unpack(m, payload, null, ModelPackage.MAX_RAW_BYTES); // checks the raw digest
    }
    for (ModelManifest.DataFile f : m.filesOrEmpty()) {
      Path p = new Path(new Path(folder(name, version), FILES), f.path() + ".zst");
      java.security.MessageDigest md = ModelDigest.newSha256();
      try (InputStream in =
          new java.security.DigestInputStream(
              new com.github.luben.zstd.ZstdInputStream(p.getFileSystem(hadoop).open(p)), md)) {
        in.transferTo(OutputStream.nullOutputStream());
      } catch (IOException e) {
        throw RegistryErrors.modelUnreadable(m.label(), qualified(p), e.toString(), e);
      }
      String actual = ModelDigest.format(md);
      if (!actual.equals(f.sha256())) {
        throw RegistryErrors.packageMismatch(
            m.label() + "' data file '" + f.path(), f.sha256(), actual);
      }
    }
    if (m.tokenizer() != null) {
      tokenizer(m);
    }
    return m;
  }

  /**
   * Reads a version's {@code tokenizer.json}, checked against the digest in its manifest.
   *
   * @throws InferlakeException MODEL when the version carries no tokenizer, or its bytes do not
   *     match the manifest
   */
  public byte[] tokenizer(String name, String version) {
    return tokenizer(manifest(name, version));
  }

  private byte[] tokenizer(ModelManifest m) {
    if (m.tokenizer() == null) {
      throw RegistryErrors.noTokenizer(m.label());
    }
    Path p = new Path(folder(m.name(), m.version()), TOKENIZER);
    byte[] json;
    try {
      json = read(p);
    } catch (IOException e) {
      throw RegistryErrors.modelUnreadable(m.label(), qualified(p), e.toString(), e);
    }
    String actual = ModelDigest.sha256(json);
    if (!actual.equals(m.tokenizer().sha256())) {
      throw RegistryErrors.packageMismatch(
          m.label() + "' tokenizer '" + TOKENIZER, m.tokenizer().sha256(), actual);
    }
    return json;
  }

  /** Reads a version's payload (compressed, and encrypted if the manifest says so). */
  public byte[] payload(String name, String version) {
    Path p = new Path(folder(name, version), PAYLOAD);
    try {
      return read(p);
    } catch (IOException e) {
      throw RegistryErrors.modelUnreadable(name + ":" + version, qualified(p), e.toString(), e);
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

  /** What writes a file's content. */
  @FunctionalInterface
  private interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private void writeAtomically(Path target, byte[] data) {
    writeAtomically(target, out -> out.write(data));
  }

  /** Writes beside the target, then renames into place, so readers never see a partial file. */
  private void writeAtomically(Path target, Body body) {
    Path tmp =
        new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      fs.mkdirs(target.getParent());
      try {
        try (OutputStream out = fs.create(tmp, false)) {
          body.writeTo(out);
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
