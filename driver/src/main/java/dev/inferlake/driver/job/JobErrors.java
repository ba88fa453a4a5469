package dev.inferlake.driver.job;

import com.fasterxml.jackson.core.JsonLocation;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.TreeSet;

/** Every user-facing message of the driver, built in one place. */
public final class JobErrors {
  private JobErrors() {}

  public static InferlakeException missingKey(String key) {
    return new InferlakeException(ErrorKind.USAGE, "job spec: '" + key + "' is required");
  }

  public static InferlakeException badValue(String key, String value, String expected) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec: '" + key + "' is '" + value + "'; expected " + expected);
  }

  public static InferlakeException badThreshold(String key, InferlakeException cause) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec: '" + key + "': " + cause.getMessage(), cause);
  }

  public static InferlakeException labelColumn(String column, String problem) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "evaluate.label: column '"
            + column
            + "' "
            + problem
            + "; it must hold the true class index (classifiers) or value (regressors)");
  }

  public static InferlakeException specUnreadable(Path file, String why) {
    return new InferlakeException(ErrorKind.USAGE, "job spec " + file + " cannot be read: " + why);
  }

  public static InferlakeException specSyntax(String source, String why, JsonLocation at) {
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new InferlakeException(
        ErrorKind.USAGE, "job spec " + source + " is not valid YAML" + where + ": " + why);
  }

  public static InferlakeException unknownKey(
      String source, String path, String key, Collection<Object> known) {
    TreeSet<String> names = new TreeSet<>();
    known.forEach(k -> names.add(snake(String.valueOf(k))));
    String section = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "(top level)";
    if (path.endsWith("]")) {
      section = path;
    }
    return new InferlakeException(
        ErrorKind.USAGE,
        "job spec "
            + source
            + ": unknown key '"
            + key
            + "' in "
            + section
            + "; known keys there: "
            + String.join(", ", names));
  }

  public static InferlakeException specValue(String source, String path, String why) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec " + source + ": bad value at '" + path + "': " + why);
  }

  public static InferlakeException badOverride(String override, String why) {
    return new InferlakeException(ErrorKind.USAGE, "--set " + override + ": " + why);
  }

  public static InferlakeException badDate(String value) {
    return new InferlakeException(
        ErrorKind.USAGE, "--ds '" + value + "' is not a date in the form YYYY-MM-DD");
  }

  public static InferlakeException modelUnreadable(
      String model, String path, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.MODEL, "model '" + model + "' cannot be read from " + path + ": " + why, cause);
  }

  public static InferlakeException unmappedInput(String model, String input) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "job spec: model '"
            + model
            + "' has input '"
            + input
            + "' but no columns are mapped to it (input.features."
            + input
            + ")");
  }

  public static InferlakeException unknownOutput(
      String model, String output, Collection<String> outputs) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "job spec: model '"
            + model
            + "' has no output '"
            + output
            + "'; its outputs are "
            + outputs);
  }

  public static InferlakeException unsupportedOutput(String model, String output, String spec) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' output '"
            + output
            + "' is "
            + spec
            + "; inferlake stores float outputs with a fixed number of values per row");
  }

  public static InferlakeException inputUnreadable(
      String path, String format, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.INPUT, "input " + path + " cannot be read as " + format + ": " + why, cause);
  }

  public static InferlakeException missingKeyColumn(String column, Collection<String> available) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "key column '"
            + column
            + "' (input.key) is not in the input; its columns are "
            + available);
  }

  public static InferlakeException writeFailed(String table, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.RUN, "writing predictions to " + table + " failed: " + why, cause);
  }

  public static InferlakeException commitConflict(
      String table, java.time.LocalDate ds, String why, int attempts, Throwable cause) {
    return new InferlakeException(
        ErrorKind.RUN,
        "another run committed to "
            + table
            + " for ds="
            + ds
            + " while this one was writing ("
            + why
            + (attempts > 1 ? "; " + attempts + " attempts" : "")
            + "); nothing of this run was kept. Run it again, or set output.on_conflict: retry",
        cause);
  }

  public static InferlakeException tooManyInvalid(
      String model, long invalid, long rows, double limit, String examples) {
    return new InferlakeException(
        ErrorKind.INPUT,
        String.format(
            java.util.Locale.ROOT,
            "%,d of %,d input rows (%.2f%%) cannot be scored by model '%s', more than"
                + " max_invalid_fraction %s allows; nothing was written. First ones: %s",
            invalid,
            rows,
            rows == 0 ? 0.0 : 100.0 * invalid / rows,
            model,
            limit,
            examples));
  }

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

  public static InferlakeException compressedDoesNotLoad(String model, String why, Throwable e) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "the compressed model '" + model + "' does not load in ONNX Runtime: " + why,
        e);
  }

  public static InferlakeException notRegistered(String model, String registry) {
    return new InferlakeException(
        ErrorKind.MODEL, "model '" + model + "' is not in the registry " + registry);
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

  public static InferlakeException encryptedExternalData(String model) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "model '"
            + model
            + "' keeps weights in external data files; encrypted models must be single files"
            + " (decryption happens in executor memory only)");
  }

  public static InferlakeException needsStorageShipping(String model) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "model '"
            + model
            + "' keeps weights in external data files, which broadcast cannot carry; set"
            + " 'shipping: storage'");
  }

  public static InferlakeException storageNeedsRegistry(String model) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "'shipping: storage' fetches models from the registry, but model '"
            + model
            + "' is given by path; register it, or use 'shipping: broadcast'");
  }

  public static InferlakeException badModelRef(String ref) {
    return new InferlakeException(
        ErrorKind.USAGE, "'" + ref + "' is not a model reference of the form NAME:VERSION");
  }

  /** The most specific message in a cause chain, on one line. */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.lines().findFirst().orElse(m).trim();
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
