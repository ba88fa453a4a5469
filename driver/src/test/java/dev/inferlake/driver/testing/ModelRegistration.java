package dev.inferlake.driver.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One {@code inferlake model register} command: a model file packed into a registry as {@code
 * name:version}, optionally encrypted, signed and with its lineage. {@link #run()} runs it through
 * the CLI in this JVM; {@link #args()} gives the command line for a test that runs the CLI another
 * way (spark-submit, the launcher).
 *
 * @param registry the registry's folder or URI
 * @param keyFile {@code --key-file}: encrypt with this AES-GCM keyset; null for none
 * @param signKey {@code --sign-key}: sign with this Ed25519 keyset; null for none
 * @param lineage {@code --lineage}: the version this one derives from; null for none
 */
public record ModelRegistration(
    String registry,
    String name,
    String version,
    Path file,
    String keyFile,
    String signKey,
    String lineage) {

  public ModelRegistration {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(file, "file");
  }

  /** Registers {@code file} as {@code name:version}, plain: neither encrypted nor signed. */
  public static ModelRegistration of(String registry, String name, String version, Path file) {
    return new ModelRegistration(registry, name, version, file, null, null, null);
  }

  /** This registration, encrypted with the keyset in {@code keyFile}. */
  public ModelRegistration encryptedWith(String keyFile) {
    return new ModelRegistration(registry, name, version, file, keyFile, signKey, lineage);
  }

  /** This registration, signed with the keyset in {@code signKey}. */
  public ModelRegistration signedWith(String signKey) {
    return new ModelRegistration(registry, name, version, file, keyFile, signKey, lineage);
  }

  /** This registration, recorded as derived from {@code version}. */
  public ModelRegistration derivedFrom(String version) {
    return new ModelRegistration(registry, name, this.version, file, keyFile, signKey, version);
  }

  /** The arguments of {@code inferlake}, from {@code model} on. */
  public String[] args() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "model", "--registry", registry, "register", "--name", name, "--version", version));
    if (lineage != null) {
      args.addAll(List.of("--lineage", lineage));
    }
    if (keyFile != null) {
      args.addAll(List.of("--key-file", keyFile));
    }
    if (signKey != null) {
      args.addAll(List.of("--sign-key", signKey));
    }
    args.add(file.toString());
    return args.toArray(new String[0]);
  }

  /** Runs the command through the CLI in this JVM; the caller checks the exit code. */
  public Cli run() {
    return Cli.run(args());
  }
}
