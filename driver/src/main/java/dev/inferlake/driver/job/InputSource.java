package dev.inferlake.driver.job;

import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.CommitLog;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * How a job's {@code input} section becomes rows: the format's reader, the run date filled into
 * {@code path} and {@code where} ({@link DateTemplate}), the predicate parsed and resolved by Spark
 * on the driver before any task runs, and for CSV and JSON the rows that do not parse kept apart.
 *
 * <p>The predicate is applied to the scan, so Spark prunes partition folders (and, for Delta, files
 * by their statistics) from what the run plans and reads.
 */
final class InputSource {
  /** The formats {@code input.format} takes. */
  static final List<String> FORMATS =
      List.of("parquet", "delta", "csv", "json", "orc", JobSpec.IMAGES_FORMAT);

  /** The column a CSV or JSON row's text lands in when it does not parse. */
  static final String UNPARSABLE_COLUMN = "_corrupt_record";

  private InputSource() {}

  /**
   * What was read.
   *
   * @param rows the rows that parsed and meet {@code where} (csv/json: kept once parsed)
   * @param version the Delta version read, or null
   * @param withUnparsable csv/json: every row meeting {@code where}, with {@link
   *     #UNPARSABLE_COLUMN} holding the text of a row that did not parse (null where it did); null
   *     for other formats
   */
  record Read(Dataset<Row> rows, Long version, Dataset<Row> withUnparsable) {}

  /** Checks the section's keys and values (no Spark needed). */
  static void validate(JobSpec.Input input) {
    boolean hasPath = input.path() != null && !input.path().isBlank();
    boolean hasTable = input.table() != null;
    if (hasPath == hasTable) {
      throw hasPath
          ? JobErrors.badValue("input", "path and table", "one of input.path, input.table")
          : JobErrors.missingKey("input.path (or input.table)");
    }
    if (hasTable) {
      CatalogTables.checkName("input.table", input.table());
      if (input.format() != null) {
        throw JobErrors.badValue(
            "input.format", input.format(), "no format with input.table (the catalog knows it)");
      }
    }
    String format = input.format() == null ? "parquet" : input.format();
    if (!FORMATS.contains(format)) {
      throw JobErrors.badValue("input.format", input.format(), "one of " + FORMATS);
    }
    if (input.schema() != null && !List.of("csv", "json").contains(format)) {
      throw JobErrors.badValue("input.schema", input.schema(), "only with format csv or json");
    }
    if (input.schema() != null) {
      try {
        StructType.fromDDL(input.schema());
      } catch (Exception e) { // ParseException, declared by Scala only
        throw JobErrors.badValue(
            "input.schema",
            input.schema(),
            "columns as Spark DDL, e.g. 'id BIGINT, f0 DOUBLE' ("
                + InferlakeException.rootMessage(e)
                + ")");
      }
    }
    DateTemplate.check("input.path", input.path());
    DateTemplate.check("input.where", input.where());
    if (input.where() != null && input.where().isBlank()) {
      throw JobErrors.badValue("input.where", input.where(), "a Spark SQL predicate");
    }
  }

  /** {@code spec} with the run date filled into {@code input.path} and {@code input.where}. */
  static JobSpec forDate(JobSpec spec, LocalDate ds) {
    JobSpec.Input in = spec.input();
    if (!DateTemplate.hasPlaceholder(in.path()) && !DateTemplate.hasPlaceholder(in.where())) {
      return spec;
    }
    JobSpec.Input filled =
        new JobSpec.Input(
            DateTemplate.fill("input.path", in.path(), ds),
            in.format(),
            in.key(),
            in.features(),
            DateTemplate.fill("input.where", in.where(), ds),
            in.table(),
            in.schema(),
            in.options(),
            in.mode(),
            in.checkpoint(),
            in.maxFilesPerBatch());
    return JobSpecs.withInput(spec, filled);
  }

  /**
   * Reads the input of {@code spec} (run date filled in, catalog names resolved), pinning a Delta
   * table's version, and applies {@code where}.
   *
   * @throws InferlakeException USAGE for a predicate Spark cannot parse or resolve, INPUT when the
   *     input cannot be read
   */
  static Read read(SparkSession spark, JobSpec spec) {
    JobSpec.Input in = spec.input();
    String where = in.where();
    if (where != null) {
      try {
        spark.sessionState().sqlParser().parseExpression(where);
      } catch (Exception e) { // ParseException, declared by Scala only
        throw JobErrors.badWhere(where, InferlakeException.rootMessage(e), e);
      }
    }
    String source = in.path() != null ? in.path() : in.table();
    Read read;
    try {
      read = readAll(spark, spec);
    } catch (InferlakeException e) {
      throw e;
    } catch (Exception e) {
      throw JobErrors.inputUnreadable(source, spec.format(), InferlakeException.rootMessage(e), e);
    }
    Dataset<Row> all = read.withUnparsable();
    Dataset<Row> rows = read.rows();
    if (where != null) {
      try {
        if (all != null) {
          all = all.where(functions.expr(where));
        } else {
          rows = rows.where(functions.expr(where));
        }
      } catch (Exception e) { // AnalysisException: a column that is not there, a non-boolean
        throw JobErrors.badWhere(where, InferlakeException.rootMessage(e), e);
      }
    }
    if (all == null) {
      return new Read(rows, read.version(), null);
    }
    // Parsed once and kept: a query that needs fewer columns would let the reader parse only
    // those, and a row whose bad value sits in another column would pass as parsed (counted as
    // input, yet neither predicted nor quarantined).
    all = all.persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> parsed =
        all.where(functions.col(UNPARSABLE_COLUMN).isNull()).drop(UNPARSABLE_COLUMN);
    return new Read(parsed, null, all);
  }

  private static Read readAll(SparkSession spark, JobSpec spec) {
    JobSpec.Input in = spec.input();
    String format = spec.format();
    if (in.path() == null) {
      return new Read(spark.table(in.table()), null, null); // a catalog table read by Spark
    }
    String path = in.path();
    Map<String, String> options = in.options() == null ? Map.of() : in.options();
    switch (format) {
      case "delta" -> {
        long version = CommitLog.latestVersion(spark, path);
        return new Read(
            spark.read().format("delta").option("versionAsOf", version).load(path), version, null);
      }
      case "parquet", "orc" -> {
        return new Read(spark.read().format(format).options(options).load(path), null, null);
      }
      case "csv", "json" -> {
        return text(spark, format, path, in.schema(), options);
      }
      case JobSpec.IMAGES_FORMAT -> {
        return new Read(spark.read().format("binaryFile").options(options).load(path), null, null);
      }
      default -> throw JobErrors.badValue("input.format", format, "one of " + FORMATS);
    }
  }

  /**
   * CSV or JSON in Spark's PERMISSIVE mode: a row that does not parse keeps its text in {@link
   * #UNPARSABLE_COLUMN}. Without a schema in the spec, Spark infers one first (a pass over the
   * input). CSV files have a header line unless {@code options.header} says otherwise.
   */
  private static Read text(
      SparkSession spark, String format, String path, String ddl, Map<String, String> options) {
    StructType schema;
    if (ddl != null) {
      schema = StructType.fromDDL(ddl);
    } else {
      StructType inferred =
          reader(spark, format, options).option("inferSchema", "true").load(path).schema();
      schema = new StructType();
      for (var f : inferred.fields()) {
        if (!f.name().equals(UNPARSABLE_COLUMN)) {
          schema = schema.add(f);
        }
      }
    }
    schema = schema.add(UNPARSABLE_COLUMN, DataTypes.StringType, true);
    Dataset<Row> all =
        reader(spark, format, options)
            .schema(schema)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", UNPARSABLE_COLUMN)
            .load(path);
    return new Read(null, null, all);
  }

  private static DataFrameReader reader(
      SparkSession spark, String format, Map<String, String> options) {
    DataFrameReader r = spark.read().format(format);
    if (format.equals("csv")) {
      r = r.option("header", "true");
    }
    return r.options(options);
  }
}
