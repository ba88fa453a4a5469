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

  public static InferlakeException wrongColumnType(
      StructField field, String model, TensorSpec spec, boolean arrayAmongOthers) {
    String need =
        arrayAmongOthers
            ? "an array column must be the only column mapped to an input"
            : "it needs numeric columns or one array of numbers";
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
      case WRONG_LENGTH ->
          new InferlakeException(
              ErrorKind.INPUT,
              "column '"
                  + why.column()
                  + "' holds "
                  + why.detail().substring(0, why.detail().indexOf(' '))
                  + " values at row "
                  + rowKey
                  + ", but "
                  + input(model, spec)
                  + " takes "
                  + spec.elementsPerRow());
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

  public static InferlakeException unsupportedInputType(String model, TensorSpec spec) {
    return new InferlakeException(
        ErrorKind.MODEL,
        input(model, spec) + " is not a float tensor; inferlake feeds float inputs only");
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
}
