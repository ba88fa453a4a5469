package dev.inferlake.driver.job;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.TextFeed;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * A job's input, read once and checked against the job before any task runs: the key columns, every
 * model input's columns, and the label column. For Delta input the table version is pinned, so
 * every pass of the run (and its audit record) sees the same snapshot.
 *
 * @param rows every input row, all columns
 * @param version the Delta table version read, or null for file input
 * @param projected only the key and feature columns, and the label column when there is one (so the
 *     scan reads nothing else)
 * @param columnsPerInput the columns of each model input, models in job order
 * @param textRoles per model input, in the same order: the tokenizer output it receives when its
 *     column is text ({@code input.features.text}), {@link #IMAGE_ROLE} when it is decoded from
 *     pictures ({@code input.features.image}), else null
 * @param keys the key columns, by position in {@code projected}
 * @param labelColumn the {@code evaluate.label} column, or null when the job evaluates nothing
 * @param unparsable csv/json: the rows that did not parse ({@link UnparsableRows}); else null
 */
record JobInput(
    Dataset<Row> rows,
    Long version,
    Dataset<Row> projected,
    List<List<String>> columnsPerInput,
    List<String> textRoles,
    List<KeyColumn> keys,
    String labelColumn,
    Dataset<Row> unparsable) {

  /**
   * Reads the input and checks it against the job's key, models and (when asked) label.
   *
   * @throws InferlakeException INPUT for a missing or mistyped column, USAGE for an unmapped model
   *     input, MODEL for a model input inferlake cannot feed
   */
  static JobInput read(
      SparkSession spark, JobSpec spec, List<ResolvedModel> models, boolean withLabel) {
    return of(InputSource.read(spark, spec), spec, models, withLabel);
  }

  /**
   * Takes {@code rows} (a table or query of the session, as the SQL function reads them) as the
   * input, and checks it against the job's key and models as {@link #read} does.
   */
  static JobInput of(Dataset<Row> rows, JobSpec spec, List<ResolvedModel> models) {
    return of(new InputSource.Read(rows, null, null), spec, models, false);
  }

  private static JobInput of(
      InputSource.Read raw, JobSpec spec, List<ResolvedModel> models, boolean withLabel) {
    String label = withLabel ? checkLabel(spec, raw.rows().schema()) : null;
    List<List<String>> perInput = new ArrayList<>();
    List<String> roles = new ArrayList<>();
    List<String> columns = project(spec, raw.rows(), models, perInput, roles);
    if (label != null && !columns.contains(label)) {
      columns.add(label); // read by the scoring pass, which evaluates as it scores
    }
    Dataset<Row> projected = select(raw.rows(), columns);
    Dataset<Row> unparsable =
        raw.withUnparsable() == null ? null : UnparsableRows.of(raw.withUnparsable(), columns);
    UnparsableRows.refuseUnderFail(spec, unparsable);
    return new JobInput(
        raw.rows(),
        raw.version(),
        projected,
        perInput,
        java.util.Collections.unmodifiableList(roles),
        keyColumns(spec, projected.schema()),
        label,
        unparsable);
  }

  /** The role of a model input fed decoded pictures, in {@link #textRoles}. */
  static final String IMAGE_ROLE = "image";

  /** This input, scoring {@code rows} (a subset of {@link #projected}) instead. */
  JobInput withProjected(Dataset<Row> rows) {
    return new JobInput(
        this.rows, version, rows, columnsPerInput, textRoles, keys, labelColumn, unparsable);
  }

  /** The projected rows of one chunk's files. */
  Dataset<Row> chunk(List<String> files) {
    Column inFiles = functions.col("_metadata.file_path").isin(files.toArray());
    return select(rows.where(inFiles), Arrays.asList(projected.columns()));
  }

  /** The key columns and the label, for evaluation. */
  Dataset<Row> labels(JobSpec spec) {
    List<String> cols = new ArrayList<>(spec.input().key());
    cols.add(labelColumn);
    return select(rows, cols);
  }

  /**
   * Checks keys and every model input against the input schema, and lists the key and feature
   * columns.
   */
  private static List<String> project(
      JobSpec spec,
      Dataset<Row> input,
      List<ResolvedModel> models,
      List<List<String>> perInput,
      List<String> roles) {
    StructType full = input.schema();
    List<String> available = Arrays.asList(full.fieldNames());
    LinkedHashSet<String> columns = new LinkedHashSet<>();
    for (String k : spec.input().key()) {
      if (!available.contains(k)) {
        throw JobErrors.missingKeyColumn(k, available);
      }
      columns.add(k);
    }
    for (ResolvedModel m : models) {
      for (TensorSpec in : m.manifest().modelSignature().inputs()) {
        List<String> cols = spec.featuresFor(m.spec(), in.name());
        String role = cols == null ? textRole(m.manifest(), in.name()) : null;
        if (role != null) {
          cols = spec.featuresFor(m.spec(), JobSpec.TEXT_FEATURE);
        }
        if (cols == null && isImageInput(m.manifest(), in.name())) {
          role = IMAGE_ROLE;
          cols = spec.featuresFor(m.spec(), JobSpec.IMAGE_FEATURE);
          if (cols == null && spec.format().equals(JobSpec.IMAGES_FORMAT)) {
            cols = List.of(JobSpec.IMAGES_CONTENT);
          }
        }
        if (cols == null) {
          throw JobErrors.unmappedInput(m.spec().label(), in.name());
        }
        cols = FeatureColumns.expand(cols, available, "features of " + in.name());
        if (IMAGE_ROLE.equals(role)) {
          InputBinding.bindImage(
              in,
              cols,
              full,
              m.spec().label(),
              new dev.inferlake.executors.ImageFeed(
                  m.manifest().image(), spec.imageMaxPixelsOrDefault()));
        } else if (role != null) {
          InputBinding.bindText(
              in, cols, full, m.spec().label(), new TextFeed(role, m.manifest().tokenizer(), null));
        } else {
          InputBinding.bind(in, cols, full, m.spec().label()); // fails with the column named
        }
        perInput.add(cols);
        roles.add(role);
        columns.addAll(cols);
      }
    }
    // after every input is mapped: an unmapped input (often the other half of a typo) is the
    // clearer message
    checkMappedInputsExist(spec, models);
    return new ArrayList<>(columns);
  }

  /** Whether model input {@code input} is the one the package's image preprocessing feeds. */
  static boolean isImageInput(dev.inferlake.model.ModelManifest m, String input) {
    return m.image() != null && m.image().input().equals(input);
  }

  /**
   * The tokenizer output that model input {@code input} receives, or null when the model has no
   * tokenizer or its tokenizer does not feed that input.
   */
  static String textRole(dev.inferlake.model.ModelManifest m, String input) {
    if (m.tokenizer() == null) {
      return null;
    }
    for (java.util.Map.Entry<String, String> e : m.tokenizer().inputs().entrySet()) {
      if (e.getValue().equals(input)) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * A feature mapping names model inputs: one that no model of the job has (a typo, or a model that
   * changed) would otherwise be silently ignored.
   */
  private static void checkMappedInputsExist(JobSpec spec, List<ResolvedModel> models) {
    java.util.Set<String> all = new java.util.TreeSet<>();
    for (ResolvedModel m : models) {
      List<String> own =
          new ArrayList<>(
              m.manifest().modelSignature().inputs().stream().map(TensorSpec::name).toList());
      if (m.manifest().tokenizer() != null && !own.contains(JobSpec.TEXT_FEATURE)) {
        own.add(JobSpec.TEXT_FEATURE); // its string column
      }
      if (m.manifest().image() != null && !own.contains(JobSpec.IMAGE_FEATURE)) {
        own.add(JobSpec.IMAGE_FEATURE); // its binary column of pictures
      }
      all.addAll(own);
      if (m.spec().features() != null) {
        for (String name : m.spec().features().keySet()) {
          if (!own.contains(name)) {
            throw JobErrors.unknownMappedInput(
                "models[" + spec.models().indexOf(m.spec()) + "].features",
                name,
                m.spec().label(),
                own);
          }
        }
      }
    }
    if (spec.input().features() != null) {
      for (String name : spec.input().features().keySet()) {
        if (!all.contains(name)) {
          throw JobErrors.unknownMappedInput("input.features", name, null, List.copyOf(all));
        }
      }
    }
  }

  private static Dataset<Row> select(Dataset<Row> input, List<String> columns) {
    return input.select(columns.stream().map(functions::col).toArray(Column[]::new));
  }

  /** The input's key columns, by position in the projected rows. */
  private static List<KeyColumn> keyColumns(JobSpec spec, StructType schema) {
    List<KeyColumn> keys = new ArrayList<>();
    for (String k : spec.input().key()) {
      int ord = schema.fieldIndex(k);
      keys.add(new KeyColumn(k, ord, schema.fields()[ord].dataType()));
    }
    return keys;
  }

  /** The label column of {@code evaluate.label}, checked against the input schema. */
  private static String checkLabel(JobSpec spec, StructType schema) {
    if (spec.evaluate() == null) {
      return null;
    }
    String label = spec.evaluate().label();
    if (!Arrays.asList(schema.fieldNames()).contains(label)) {
      throw JobErrors.labelColumn(
          label, "is not in the input (columns: " + Arrays.asList(schema.fieldNames()) + ")");
    }
    DataType t = schema.apply(label).dataType();
    if (!(t instanceof NumericType)) {
      throw JobErrors.labelColumn(label, "is " + t.simpleString() + ", not a number");
    }
    return label;
  }
}
