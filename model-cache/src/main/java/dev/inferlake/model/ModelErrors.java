package dev.inferlake.model;

/**
 * Every user-facing message of the model-cache module, built in one place. Package-private: every
 * class that throws one lives in this package, and {@code internal} holds only codecs (zip, fp16)
 * that know nothing of models, so that package depends on nothing here.
 */
final class ModelErrors {
  private ModelErrors() {}

  static InferlakeException refusedFormat(String what, String found) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " is refused: " + found + "; inferlake loads ONNX and TorchScript models only");
  }

  static InferlakeException unsafeExternalData(String what, String tensor, String location) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " is refused: tensor '"
            + tensor
            + "' keeps its data in '"
            + location
            + "', outside the model's own folder");
  }

  static InferlakeException externalDataNotShippable(String what, String tensor) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " keeps tensor '"
            + tensor
            + "' in an external data file, which a single-file package cannot carry");
  }

  static InferlakeException tooLarge(String what, long limit) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " decompresses to more than " + limit + " bytes; refused (limit or manifest size)");
  }

  static InferlakeException corrupt(String what, String why, Throwable cause) {
    return new InferlakeException(ErrorKind.MODEL, what + " is corrupt: " + why, cause);
  }

  /**
   * A zip archive whose directory or entries cannot be read, e.g. sizes or offsets outside it.
   *
   * @param archive what the archive is, e.g. {@code "TorchScript archive"}
   * @param cause the reader's failure, whose message names the entry when there is one
   */
  static InferlakeException unreadableArchive(String what, String archive, Exception cause) {
    return corrupt(what, "its " + archive + " cannot be read: " + cause.getMessage(), cause);
  }

  static InferlakeException digestMismatch(String what, String expected, String actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what + " bytes do not match their digest: expected " + expected + ", got " + actual);
  }

  static InferlakeException decryptFailed(String what, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " cannot be decrypted: wrong key, or the package was altered (AES-256-GCM"
            + " authentication failed)",
        cause);
  }

  static InferlakeException keyNeeded(String what) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is encrypted, but no decryption key was given");
  }

  static InferlakeException badKey(String source, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.USAGE, "key " + source + " cannot be used: " + why, cause);
  }

  static InferlakeException noTorchScriptSignature(String what) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " is TorchScript without a signature: save it with torch.jit.save(m, f,"
            + " _extra_files={'"
            + TorchScriptReader.SIGNATURE
            + "': ...}) naming its inputs and outputs (see scripts/models/digits_mlp.py)");
  }

  static InferlakeException badTorchScriptSignature(String what, String why) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " has an invalid " + TorchScriptReader.SIGNATURE + ": " + why);
  }

  static InferlakeException badMethod(String method, String why) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "compression method '"
            + method
            + "' is not valid: "
            + why
            + "; use one of "
            + CompressionMethod.FORMS);
  }

  static InferlakeException nothingToCompress(String what, String method, String found) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " has nothing " + method + " can rewrite: " + found);
  }

  static InferlakeException cannotCompress(String what, String method, String why) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " cannot be compressed with " + method + ": " + why);
  }

  static InferlakeException unsigned(String what) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is not signed, and the job requires signed models");
  }

  static InferlakeException corruptSignature(String what, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " carries a signature inferlake cannot read: " + why, cause);
  }

  static InferlakeException untrustedSignature(
      String what, String keyId, java.util.List<String> trusted, java.util.List<String> privates) {
    String loaded =
        trusted.isEmpty()
            ? "no trusted keys were given (security.trusted_keys)"
            : "trusted keys loaded: " + String.join(", ", trusted);
    String hint =
        privates.isEmpty()
            ? ""
            : "; "
                + String.join(", ", privates)
                + (privates.size() == 1 ? " is a private keyset" : " are private keysets")
                + ": list the public half ('model keygen --public-out') in trusted_keys";
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " is signed by key "
            + keyId
            + ", which no trusted key verifies ("
            + loaded
            + hint
            + ")");
  }

  static InferlakeException keyFileUnreadable(
      java.nio.file.Path file, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, "key file " + file + " cannot be read: " + why, cause);
  }

  static InferlakeException notOnnx(String what, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is not an ONNX model: " + cause.getMessage(), cause);
  }

  static InferlakeException noGraphOutputs(String what) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is not an ONNX model: it has no graph outputs");
  }

  static InferlakeException compressesOnnxOnly(String what, ModelFormat format) {
    return new InferlakeException(
        ErrorKind.MODEL,
        what
            + " is "
            + format.specName()
            + "; compression rewrites ONNX graphs only (export the model to ONNX first)");
  }

  static InferlakeException loadInterrupted(String key, InterruptedException cause) {
    return new InferlakeException(ErrorKind.RUN, "interrupted while loading model " + key, cause);
  }

  static InferlakeException closedWhileLoading(String key) {
    return new InferlakeException(
        ErrorKind.RUN,
        "the model cache was closed (the executor is shutting down) while model "
            + key
            + " loaded; the model was closed unused");
  }

  static InferlakeException loadFailed(String key, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, "loading model " + key + " failed: " + cause, cause);
  }

  static InferlakeException vocabSizeForUnknownInput(
      String model, String input, java.util.List<String> inputs) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "vocabulary size for '"
            + input
            + "': model '"
            + model
            + "' has no such input; its inputs are "
            + inputs);
  }

  static InferlakeException vocabSizeForNonIntegerInput(String model, TensorSpec input) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "vocabulary size for input '"
            + input.name()
            + "' of model '"
            + model
            + "' ("
            + input
            + "): only integer inputs (int64, int32, int8, uint8) hold ids");
  }

  static InferlakeException vocabSizeNotPositive(String model, TensorSpec input, Long size) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "vocabulary size for input '"
            + input.name()
            + "' of model '"
            + model
            + "' is "
            + size
            + "; it must be at least 1 (ids run from 0 to size - 1)");
  }

  static InferlakeException tokenizerWithoutInputIds(
      String model, java.util.Map<String, String> declared, java.util.List<String> int64Inputs) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the tokenizer of model '"
            + model
            + "' feeds "
            + declared
            + " but no input_ids; the model's int64 inputs are "
            + int64Inputs
            + " (name it with --text-input input_ids=NAME)");
  }

  static InferlakeException tokenizerUnknownRole(
      String model, String role, java.util.List<String> roles) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "--text-input names '"
            + role
            + "' for model '"
            + model
            + "'; a tokenizer produces "
            + roles);
  }

  static InferlakeException tokenizerInputMismatch(
      String model, String role, String input, java.util.List<String> modelInputs) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the tokenizer of model '"
            + model
            + "' declares "
            + role
            + " for input '"
            + input
            + "', which is not an int64 input of the model; its inputs are "
            + modelInputs);
  }

  static InferlakeException tokenizerLeavesInputUnfed(
      String model, String input, java.util.Map<String, String> declared) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "int64 input '"
            + input
            + "' of model '"
            + model
            + "' receives nothing from its tokenizer, which feeds "
            + declared
            + "; map it with --text-input ROLE="
            + input);
  }

  static InferlakeException notATokenizer(String what, String why, Exception cause) {
    return new InferlakeException(
        ErrorKind.MODEL, what + " is not a HuggingFace tokenizer.json: " + why, cause);
  }

  static InferlakeException imagePreprocessingMismatch(String model, String problem) {
    return new InferlakeException(
        ErrorKind.MODEL, "the image preprocessing of model '" + model + "' " + problem);
  }
}
