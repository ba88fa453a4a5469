package dev.inferlake.executors.internal;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.TensorSpec;
import java.util.List;
import org.apache.spark.sql.types.StructField;

/** Every user-facing message of the executors module, built in one place. */
public final class ScoringErrors {
  private ScoringErrors() {}

  private static String input(String model, TensorSpec spec) {
    return "input '" + spec.name() + "' of model '" + model + "' (" + spec + ")";
  }

  public static InferlakeException missingColumn(
      String column, String model, TensorSpec spec, List<String> available) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "column '"
            + column
            + "' for "
            + input(model, spec)
            + " is not in the input; its columns are "
            + available);
  }

  /** What is wrong with a column mapped to an input. */
  public enum ColumnProblem {
    /** Its type (of its innermost elements, for an array) cannot fill the input's. */
    TYPE,
    /** An array column shares its input with other columns. */
    ARRAY_AMONG_OTHERS,
    /** Arrays nested deeper than one level, but not one level per dimension of the input. */
    DEPTH
  }

  public static InferlakeException wrongColumnType(
      StructField field, String model, TensorSpec spec, ColumnProblem problem) {
    String need =
        switch (problem) {
          case ARRAY_AMONG_OTHERS -> "an array column must be the only column mapped to an input";
          case TYPE ->
              spec.type() == dev.inferlake.model.ElementType.BOOL
                  ? "it needs boolean or integer (0 or 1) columns, or one array of them"
                  : "it needs numeric columns or one array of numbers";
          case DEPTH ->
              "it needs one flat array of "
                  + spec.elementsPerRow()
                  + " values, or arrays nested "
                  + (spec.shape().length - 1)
                  + " deep, one level per dimension after the batch";
        };
    return new InferlakeException(
        ErrorKind.INPUT,
        "column '"
            + field.name()
            + "' has type "
            + field.dataType().simpleString()
            + ", which cannot feed "
            + input(model, spec)
            + ": "
            + need);
  }

  public static InferlakeException wrongColumnCount(
      String model, TensorSpec spec, List<String> columns) {
    return new InferlakeException(
        ErrorKind.INPUT,
        input(model, spec)
            + " takes "
            + spec.elementsPerRow()
            + " values per row, but "
            + columns.size()
            + " columns are mapped to it: "
            + columns);
  }

  private static InferlakeException nullValue(
      String column, String model, TensorSpec spec, String rowKey) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "column '"
            + column
            + "' is null at row "
            + rowKey
            + " (feeding "
            + input(model, spec)
            + ")");
  }

  /** The run-failing error for a row a model input cannot take ({@code on_invalid: fail}). */
  public static InferlakeException invalidRow(
      Invalid why, String model, TensorSpec spec, String rowKey) {
    return switch (why.reason()) {
      case NULL_VALUE -> nullValue(why.column(), model, spec, rowKey);
      case WRONG_LENGTH -> {
        // detail: "<n> values, <expected> expected"
        String[] words = why.detail().split(" ");
        boolean wholeRow =
            !why.column().endsWith("]") && words[2].equals(String.valueOf(spec.elementsPerRow()));
        long[] shape = spec.shape();
        String nested =
            wholeRow
                ? ""
                : " at that level (arrays nested as "
                    + java.util.Arrays.toString(
                        java.util.Arrays.copyOfRange(shape, 1, shape.length))
                    + ")";
        yield new InferlakeException(
            ErrorKind.INPUT,
            "column '"
                + why.column()
                + "' holds "
                + words[0]
                + " values at row "
                + rowKey
                + ", but "
                + input(model, spec)
                + " takes "
                + words[2]
                + nested);
      }
      case NOT_EXACT ->
          badValue(
              why,
              model,
              spec,
              rowKey,
              "inferlake never rounds a value into a model's type; cast the column if rounding is"
                  + " what you want");
      case OUT_OF_RANGE ->
          badValue(
              why,
              model,
              spec,
              rowKey,
              "the input takes values within its type's range and declared vocabulary only");
      case NOT_FINITE ->
          new InferlakeException(
              ErrorKind.INPUT,
              "column '"
                  + why.column()
                  + "' holds "
                  + why.detail()
                  + " at row "
                  + rowKey
                  + " (feeding "
                  + input(model, spec)
                  + "); models take finite values only");
      case UNDECODABLE ->
          badValue(
              why,
              model,
              spec,
              rowKey,
              "pictures must be files a reader decodes whole (PNG, JPEG, GIF, BMP); quarantine"
                  + " such rows with on_invalid: quarantine");
      case TOO_LARGE ->
          badValue(
              why,
              model,
              spec,
              rowKey,
              "larger pictures are refused before decoding (decompression bombs); raise"
                  + " image_max_pixels if they are wanted");
      case NULL_KEY ->
          new InferlakeException(
              ErrorKind.INPUT,
              "key column '"
                  + why.column()
                  + "' is null at row "
                  + rowKey
                  + "; every row needs its key to be stored with its predictions");
    };
  }

  /** The element types inferlake feeds, as messages list them. */
  public static final String FED_TYPES = "float, double, int64, int32, int8, uint8 and bool";

  private static InferlakeException badValue(
      Invalid why, String model, TensorSpec spec, String rowKey, String rule) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "column '"
            + why.column()
            + "' holds "
            + why.detail()
            + " at row "
            + rowKey
            + " (feeding "
            + input(model, spec)
            + "); "
            + rule);
  }

  public static InferlakeException unsupportedInputType(String model, TensorSpec spec) {
    String why =
        switch (spec.type()) {
          case STRING ->
              " is a string tensor, which inferlake does not feed: export the model to take"
                  + " int64 token ids and register its tokenizer.json with it (model register"
                  + " --tokenizer), then map the string column as features.text; it feeds "
                  + FED_TYPES
                  + " inputs";
          case FLOAT16 ->
              " is a float16 tensor, which inferlake does not feed (export the model with a float"
                  + " input); it feeds "
                  + FED_TYPES
                  + " inputs";
          case FLOAT, DOUBLE, INT64, INT32, INT8, UINT8, BOOL, OTHER ->
              " has an element type inferlake does not feed; it feeds " + FED_TYPES + " inputs";
        };
    return new InferlakeException(ErrorKind.MODEL, input(model, spec) + why);
  }

  public static InferlakeException textColumnCount(
      String model, TensorSpec spec, List<String> columns) {
    return oneColumn(
        model, spec, "tokenized text, which comes from exactly one string column", columns);
  }

  public static InferlakeException textColumnType(
      StructField field, String model, TensorSpec spec) {
    return columnType(field, model, spec, "the model's tokenizer needs a string column");
  }

  public static InferlakeException imageColumnCount(
      String model, TensorSpec spec, List<String> columns) {
    return oneColumn(
        model, spec, "decoded pictures, which come from exactly one binary column", columns);
  }

  public static InferlakeException imageColumnType(
      StructField field, String model, TensorSpec spec) {
    return columnType(
        field,
        model,
        spec,
        "the model's image preprocessing needs a binary column of encoded pictures");
  }

  /** An input fed from one column ({@code what}) that has several mapped to it. */
  private static InferlakeException oneColumn(
      String model, TensorSpec spec, String what, List<String> columns) {
    return new InferlakeException(
        ErrorKind.INPUT,
        input(model, spec)
            + " receives "
            + what
            + ", but "
            + columns.size()
            + " columns are mapped to it: "
            + columns);
  }

  /** A column whose type cannot feed an input that needs another ({@code why}). */
  private static InferlakeException columnType(
      StructField field, String model, TensorSpec spec, String why) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "column '"
            + field.name()
            + "' has type "
            + field.dataType().simpleString()
            + ", which cannot feed "
            + input(model, spec)
            + ": "
            + why);
  }

  public static InferlakeException tokenizerDigestMismatch(
      String model, String expected, String actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the tokenizer of model '"
            + model
            + "' does not match its manifest: expected "
            + expected
            + ", got "
            + actual
            + "; register the model again");
  }

  public static InferlakeException dynamicInputShape(String model, TensorSpec spec) {
    return new InferlakeException(
        ErrorKind.MODEL,
        input(model, spec)
            + " has a dynamic dimension after the batch dimension; only the batch dimension may"
            + " be dynamic");
  }

  public static InferlakeException payloadChanged(String model, String expected, String actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the package of model '"
            + model
            + "' changed between driver and executor: expected "
            + expected
            + ", got "
            + actual);
  }

  public static InferlakeException fetchFailed(String where, Exception cause) {
    return new InferlakeException(
        ErrorKind.MODEL, "fetching the model package " + where + " failed: " + cause, cause);
  }

  public static InferlakeException signatureMismatch(String model, Object manifest, Object own) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' has a manifest whose inputs and outputs ("
            + manifest
            + ") are not the model's own ("
            + own
            + "); the manifest was edited: register the model again");
  }

  public static InferlakeException notADigest(String model, String value) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '" + model + "' has a manifest digest that is not a sha256 digest: '" + value + "'");
  }

  public static InferlakeException fetchedDigestMismatch(
      String model, String file, String expected, String actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' file "
            + file
            + " does not match its digest: expected "
            + expected
            + ", got "
            + actual);
  }

  public static InferlakeException fetchedTooLarge(String model, long limit) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' decompresses to more than its manifest's "
            + limit
            + " bytes; refused");
  }

  public static InferlakeException rawSizeOutOfRange(String model, long declared, long limit) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' has a manifest raw size of "
            + declared
            + " bytes, outside 0 to "
            + limit
            + " (the most a package holds); the manifest was edited: register the model again");
  }

  public static InferlakeException fetchedSizeMismatch(
      String model, String file, long expected, long actual) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' file "
            + file
            + " decompresses to "
            + actual
            + " bytes, not the manifest's "
            + expected);
  }

  public static InferlakeException unsafeDataFile(String model, String path) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' lists external data file '"
            + path
            + "' outside its folder; refused");
  }

  public static InferlakeException engineFailure(String model, String what, Exception cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "ONNX Runtime failed to " + what + " model '" + model + "': " + cause.getMessage(),
        cause);
  }

  public static InferlakeException torchFailure(String model, String what, Exception cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "PyTorch (DJL) failed to " + what + " model '" + model + "': " + cause.getMessage(),
        cause);
  }

  public static InferlakeException torchUnavailable(
      String model, String artifacts, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' is TorchScript, and DJL's PyTorch engine cannot start: "
            + cause.getMessage()
            + ". It runs offline from "
            + artifacts
            + " on the classpath (the cluster jar leaves them out: add them with --jars)",
        cause);
  }

  public static InferlakeException gpuUnavailable(String model, String why) {
    return new InferlakeException(
        ErrorKind.MODEL, "model '" + model + "' requires a GPU (device: gpu-required), but " + why);
  }

  public static InferlakeException tokenizerUnloadable(String model, Exception cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the tokenizer of model '"
            + model
            + "' cannot be loaded: "
            + cause.getMessage()
            + "; re-register the model with a HuggingFace tokenizer.json",
        cause);
  }

  public static InferlakeException tokenizerFailed(String model, Exception cause) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the tokenizer of model '" + model + "' failed on a text: " + cause.getMessage(),
        cause);
  }

  public static InferlakeException tokenizerMaxLengthTooSmall(
      String model, int maxLength, int specials) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the tokenizer of model '"
            + model
            + "' adds "
            + specials
            + " special tokens, more than its max length "
            + maxLength
            + "; re-register it with a larger --max-length");
  }
}
