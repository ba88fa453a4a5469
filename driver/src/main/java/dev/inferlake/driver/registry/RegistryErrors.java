package dev.inferlake.driver.registry;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;

/** Every message of the model registry, built in one place. */
public final class RegistryErrors {
  private RegistryErrors() {}

  public static InferlakeException alreadyRegistered(String model, String where) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "model '" + model + "' is already registered at " + where + "; versions are immutable");
  }

  public static InferlakeException cannotCompressExternalData(String model) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' keeps tensors in external data files; compression rewrites single-file models"
            + " only");
  }

  public static InferlakeException compressNeedsKey(String model) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "model '"
            + model
            + "' is encrypted: pass its key with --key-file or --key-env (the compressed version is"
            + " encrypted with it too)");
  }

  public static InferlakeException encryptedExternalData(String model) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "model '"
            + model
            + "' keeps weights in external data files; encrypted models must be single files"
            + " (decryption happens in executor memory only)");
  }

  public static InferlakeException modelUnreadable(
      String model, String path, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, "model '" + model + "' cannot be read from " + path + ": " + why, cause);
  }

  public static InferlakeException notRegistered(String model, String registry) {
    return new InferlakeException(
        ErrorKind.MODEL, "model '" + model + "' is not in the registry " + registry);
  }

  public static InferlakeException compressedDoesNotLoad(String model, String why, Throwable e) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the compressed model '" + model + "' does not load in ONNX Runtime: " + why,
        e);
  }

  public static InferlakeException manifestOfAnotherVersion(
      String asked, String found, String where) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the registry folder of model '"
            + asked
            + "' holds the manifest of '"
            + found
            + "' ("
            + where
            + "): a version's folder was copied or moved; register the model as '"
            + asked
            + "' instead");
  }

  public static InferlakeException packageMismatch(String model, String expected, String actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the package of model '"
            + model
            + "' does not match its manifest: expected "
            + expected
            + ", got "
            + actual);
  }

  public static InferlakeException keyFileExists(java.nio.file.Path file) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "key file "
            + file
            + " already exists; pass --force to replace it (whatever was encrypted or signed with"
            + " the old key then needs a copy of it)");
  }

  /** A key file named in the job (trusted_keys) that cannot be read: a model error, exit 4. */
  public static InferlakeException keyFileUnreadable(String location, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, "key file " + location + " cannot be read: " + why, cause);
  }

  public static InferlakeException noTokenizer(String model) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' carries no tokenizer; register it with --tokenizer tokenizer.json to score text");
  }
}
