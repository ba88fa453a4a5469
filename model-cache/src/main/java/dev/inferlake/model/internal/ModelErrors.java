package dev.inferlake.model.internal;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;

/** Every user-facing message of the model-cache module about packages, built in one place. */
public final class ModelErrors {
  private ModelErrors() {}

  public static InferlakeException refusedFormat(String what, String found) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " is refused: " + found + "; inferlake loads ONNX and TorchScript models only");
  }

  public static InferlakeException unsafeExternalData(String what, String tensor, String location) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " is refused: tensor '"
            + tensor
            + "' keeps its data in '"
            + location
            + "', outside the model's own folder");
  }

  public static InferlakeException externalDataNotShippable(String what, String tensor) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " keeps tensor '"
            + tensor
            + "' in an external data file, which a single-file package cannot carry");
  }

  public static InferlakeException tooLarge(String what, long limit) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " decompresses to more than " + limit + " bytes; refused (limit or manifest size)");
  }

  public static InferlakeException corrupt(String what, String why, Throwable cause) {
    return new InferlakeException(ErrorKind.MODEL, what + " is corrupt: " + why, cause);
  }

  public static InferlakeException digestMismatch(String what, String expected, String actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " bytes do not match their digest: expected " + expected + ", got " + actual);
  }

  public static InferlakeException decryptFailed(String what, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " cannot be decrypted: wrong key, or the package was altered (AES-256-GCM"
            + " authentication failed)",
        cause);
  }

  public static InferlakeException keyNeeded(String what) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is encrypted, but no decryption key was given");
  }

  public static InferlakeException badKey(String source, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.USAGE, "key " + source + " cannot be used: " + why, cause);
  }

  public static InferlakeException noTorchScriptSignature(String what) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " is TorchScript without a signature: save it with torch.jit.save(m, f,"
            + " _extra_files={'"
            + dev.inferlake.model.TorchScriptReader.SIGNATURE
            + "': ...}) naming its inputs and outputs (see scripts/models/digits_mlp.py)");
  }

  public static InferlakeException badTorchScriptSignature(String what, String why) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " has an invalid " + dev.inferlake.model.TorchScriptReader.SIGNATURE + ": " + why);
  }

  public static InferlakeException badMethod(String method, String why) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "compression method '"
            + method
            + "' is not valid: "
            + why
            + "; use one of "
            + dev.inferlake.model.CompressionMethod.FORMS);
  }

  public static InferlakeException nothingToCompress(String what, String method, String found) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " has nothing " + method + " can rewrite: " + found);
  }

  public static InferlakeException cannotCompress(String what, String method, String why) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " cannot be compressed with " + method + ": " + why);
  }

  public static InferlakeException unsigned(String what) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is not signed, and the job requires signed models");
  }

  public static InferlakeException untrustedSignature(String what, String keyId) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is signed by key " + keyId + ", which no trusted key verifies");
  }
}
