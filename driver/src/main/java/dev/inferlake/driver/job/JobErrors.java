package dev.inferlake.driver.job;

import com.fasterxml.jackson.core.JsonLocation;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.util.Collection;
import java.util.List;
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

  public static InferlakeException specUnreadable(String location, String why) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec " + location + " cannot be read: " + why);
  }

  public static InferlakeException specSyntax(String source, String why, JsonLocation at) {
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new InferlakeException(
        ErrorKind.USAGE, "job spec " + source + " is not valid YAML" + where + ": " + why);
  }

  public static InferlakeException unknownKey(
      String source, String path, String key, Collection<Object> known) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec " + source + ": " + unknownKeyText(path, key, known));
  }

  /** An unknown key that came from {@code --set}: the override is named, not the spec file. */
  public static InferlakeException unknownOverrideKey(
      String override, String path, String key, Collection<Object> known) {
    return badOverride(override, unknownKeyText(path, key, known));
  }

  private static String unknownKeyText(String path, String key, Collection<Object> known) {
    TreeSet<String> names = new TreeSet<>();
    known.forEach(k -> names.add(snake(String.valueOf(k))));
    String section = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "(top level)";
    if (path.endsWith("]")) {
      section = path;
    }
    return "unknown key '"
        + key
        + "' in "
        + section
        + "; known keys there: "
        + String.join(", ", names);
  }

  public static InferlakeException specValue(String source, String path, String why) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec " + source + ": bad value at '" + path + "': " + why);
  }

  public static InferlakeException badOverride(String override, String why) {
    return new InferlakeException(ErrorKind.USAGE, "--set " + override + ": " + why);
  }

  public static InferlakeException dayNotInCalendar(String value, java.time.YearMonth month) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "--ds '"
            + value
            + "' is not a day of the calendar ("
            + month
                .getMonth()
                .getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH)
            + " "
            + month.getYear()
            + " has "
            + month.lengthOfMonth()
            + " days)");
  }

  public static InferlakeException badDate(String value) {
    return new InferlakeException(
        ErrorKind.USAGE, "--ds '" + value + "' is not a date in the form YYYY-MM-DD");
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

  /**
   * A task that cannot work with the model's output; {@code source} says where it was declared
   * ({@code job spec models[0].task}, {@code the package}).
   */
  public static InferlakeException taskMismatch(String model, String source, String problem) {
    return new InferlakeException(
        ErrorKind.MODEL, "model '" + model + "': the task in " + source + " " + problem);
  }

  public static InferlakeException rawWithoutOutputs(String model, String at) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "job spec: model '"
            + model
            + "' has task raw, which stores nothing but the outputs named in '"
            + at
            + ".outputs'; list at least one");
  }

  public static InferlakeException unstorableOutput(String model, String output, String spec) {
    return new InferlakeException(
        ErrorKind.MODEL,
        "model '"
            + model
            + "' output '"
            + output
            + "' is "
            + spec
            + ", which no column holds; stored outputs are float32, float64, int64, int32, int8,"
            + " uint8, bool or string with a batch dimension and fixed dimensions after it");
  }

  public static InferlakeException outputsDisagree(String problem) {
    return new InferlakeException(
        ErrorKind.MODEL, "the job's models store outputs of one name in two types: " + problem);
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

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  public static InferlakeException emptyInput(
      String input, java.time.LocalDate ds, long rows, String table) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "input "
            + input
            + " has no rows: this run would remove the "
            + rows
            + " rows of ds="
            + ds
            + " its model versions have in "
            + table
            + ". Check the input, or set allow_empty_input: true to empty the date");
  }

  public static InferlakeException unknownMappedInput(
      String where, String input, String model, List<String> inputs) {
    return new InferlakeException(
        ErrorKind.USAGE,
        where
            + " maps '"
            + input
            + "', which is not an input of "
            + (model == null ? "any model of the job" : "model '" + model + "'")
            + "; its inputs: "
            + inputs);
  }

  public static InferlakeException unknownPlaceholder(String key, String value, String found) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "job spec: '"
            + key
            + "' is '"
            + value
            + "'; "
            + found
            + " is not a placeholder: use ${ds}, ${ds_nodash}, ${prev_ds} or ${next_ds}");
  }

  public static InferlakeException badWhere(String where, String why, Throwable cause) {
    return new InferlakeException(
        ErrorKind.USAGE,
        "job spec: 'input.where' is '" + where + "', which Spark cannot use as a filter: " + why,
        cause);
  }

  public static InferlakeException unparsableRows(
      String input, long rows, String example, Throwable cause) {
    return new InferlakeException(
        ErrorKind.INPUT,
        String.format(
            java.util.Locale.ROOT,
            "input %s has %,d row(s) that do not parse (first: %s); on_invalid: quarantine keeps"
                + " them aside with reason 'unparsable', skip drops them",
            input,
            rows,
            example),
        cause);
  }

  public static InferlakeException noSuchColumns(String at, String pattern, List<String> columns) {
    return new InferlakeException(
        ErrorKind.INPUT,
        "'"
            + pattern
            + "' ("
            + at
            + ") matches no input column; the input's columns are "
            + columns);
  }

  public static InferlakeException catalogTable(String key, String name, String why, Throwable e) {
    return new InferlakeException(
        ErrorKind.USAGE, "job spec: '" + key + "' names table " + name + ", which " + why, e);
  }
}
