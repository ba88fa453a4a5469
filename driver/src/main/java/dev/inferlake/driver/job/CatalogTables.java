package dev.inferlake.driver.job;

import dev.inferlake.driver.session.SqlText;
import dev.inferlake.model.InferlakeException;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catalog tables in a job: {@code input.table}, and an {@code output.table} (likewise {@code
 * quarantine_table}, {@code runs_table}) written {@code db.name} instead of a path. Names are
 * looked up in Spark's session catalog, so whatever catalog the cluster configures (a Hive
 * metastore, locally the embedded one of {@code register} and {@code sql}) serves them.
 *
 * <p>A Delta (or Parquet, ORC) table is read from its location as a path would be, so planning from
 * footers and Delta statistics works as for paths; other tables and views are read through Spark.
 * An output table that does not exist yet is written at the catalog's default location for it and
 * registered there, with its comments, once the run has committed.
 */
public final class CatalogTables {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogTables.class);

  /** {@code db.name}: what an output key holds when it names a catalog table, not a path. */
  private static final Pattern QUALIFIED =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*");

  /** {@code [db.]name}, for {@code input.table}. */
  private static final Pattern NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_]\\w*");

  /** The format an input read through Spark by name is planned as (no footers to read). */
  static final String CATALOG_FORMAT = "catalog";

  static final String PREDICTIONS_COMMENT =
      "Model predictions written by inferlake; one row per key, model version and run date (ds).";
  static final String QUARANTINE_COMMENT =
      "Input rows inferlake jobs could not score, with the reason; one row per row and model"
          + " version.";
  static final String RUNS_COMMENT =
      "inferlake runs: one row per run and model version, with counts, times and metrics.";

  private final SparkSession spark;
  private final JobSpec spec;
  private final List<String[]> toRegister; // name, location, comment

  private CatalogTables(SparkSession spark, JobSpec spec, List<String[]> toRegister) {
    this.spark = spark;
    this.spec = spec;
    this.toRegister = toRegister;
  }

  /** Whether an output key's value names a catalog table ({@code db.name}) rather than a path. */
  static boolean isName(String value) {
    return value != null && QUALIFIED.matcher(value).matches();
  }

  /** Whether {@code spec} names any catalog table, so the run needs the persistent catalog. */
  public static boolean usesCatalog(JobSpec spec) {
    JobSpec.Output o = spec.output();
    return spec.input().table() != null
        || isName(o.table())
        || isName(o.quarantineTableOrDefault())
        || isName(o.runsTableOrDefault());
  }

  static void checkName(String key, String value) {
    if (!NAME.matcher(value).matches()) {
      throw JobErrors.badValue(key, value, "a catalog table name, [db.]name");
    }
  }

  /**
   * {@code spec} with every catalog name resolved to a location (or, for an input that is no table
   * of files, kept as a name read through Spark).
   *
   * @throws InferlakeException USAGE for an input table that does not exist, an output table that
   *     is not Delta, or a database that does not exist
   */
  static CatalogTables resolve(SparkSession spark, JobSpec spec) {
    if (!usesCatalog(spec)) {
      return new CatalogTables(spark, spec, List.of());
    }
    SessionCatalog catalog = spark.sessionState().catalog();
    JobSpec resolved = spec;
    JobSpec.Input in = spec.input();
    if (in.table() != null) {
      CatalogTable t = lookUp(spark, catalog, "input.table", in.table());
      if (t == null) {
        throw JobErrors.catalogTable("input.table", in.table(), "is not in the catalog", null);
      }
      String provider = t.provider().isDefined() ? t.provider().get().toLowerCase() : "hive";
      boolean files = List.of("delta", "parquet", "orc").contains(provider) && !isView(t);
      resolved =
          JobSpecs.withInput(
              resolved,
              new JobSpec.Input(
                  files ? t.location().toString() : null,
                  files ? provider : CATALOG_FORMAT,
                  in.key(),
                  in.features(),
                  in.where(),
                  in.table(),
                  in.schema(),
                  in.options(),
                  in.mode(),
                  in.checkpoint(),
                  in.maxFilesPerBatch()));
    }
    List<String[]> register = new ArrayList<>();
    JobSpec.Output o = spec.output();
    String table = output(spark, catalog, "output.table", o.table(), PREDICTIONS_COMMENT, register);
    String quarantine =
        output(
            spark,
            catalog,
            "output.quarantine_table",
            o.quarantineTableOrDefault(),
            QUARANTINE_COMMENT,
            register);
    String runs =
        output(spark, catalog, "output.runs_table", o.runsTableOrDefault(), RUNS_COMMENT, register);
    resolved =
        JobSpecs.withOutput(
            resolved,
            new JobSpec.Output(table, quarantine, o.onConflict(), o.conflictRetries(), runs));
    return new CatalogTables(spark, resolved, register);
  }

  /** The spec with locations for names. */
  JobSpec spec() {
    return spec;
  }

  /**
   * Registers the output tables this run created under the names the job gave them, with a table
   * comment (column comments come from the Delta tables). A table the run did not write (no rows
   * quarantined) is left out.
   */
  void registerCreated() {
    for (String[] t : toRegister) {
      if (!DeltaTable.isDeltaTable(spark, t[1])) {
        continue;
      }
      spark.sql(
          "CREATE TABLE IF NOT EXISTS " + t[0] + " USING DELTA LOCATION " + SqlText.literal(t[1]));
      String current = DeltaTable.forPath(spark, t[1]).detail().head().getAs("description");
      if (current == null || current.isBlank()) {
        spark.sql("COMMENT ON TABLE " + t[0] + " IS " + SqlText.literal(t[2]));
      }
      LOG.info("registered {} -> {}", t[0], t[1]);
    }
  }

  private static String output(
      SparkSession spark,
      SessionCatalog catalog,
      String key,
      String value,
      String comment,
      List<String[]> register) {
    if (!isName(value)) {
      return value;
    }
    CatalogTable t = lookUp(spark, catalog, key, value);
    if (t != null) {
      String provider = t.provider().isDefined() ? t.provider().get() : "hive";
      if (!provider.equalsIgnoreCase("delta")) {
        throw JobErrors.catalogTable(
            key, value, "is a " + provider + " table; inferlake writes Delta tables", null);
      }
      return t.location().toString();
    }
    TableIdentifier id = identifier(spark, value);
    String db = id.database().get();
    if (!catalog.databaseExists(db)) {
      throw JobErrors.catalogTable(
          key,
          value,
          "cannot be created: database " + db + " does not exist (CREATE DATABASE)",
          null);
    }
    String location = catalog.defaultTablePath(id).toString();
    register.add(new String[] {value, location, comment});
    return location;
  }

  private static CatalogTable lookUp(
      SparkSession spark, SessionCatalog catalog, String key, String name) {
    try {
      TableIdentifier id = identifier(spark, name);
      return catalog.tableExists(id) ? catalog.getTableMetadata(id) : null;
    } catch (InferlakeException e) {
      throw e;
    } catch (Exception e) {
      throw JobErrors.catalogTable(
          key, name, "cannot be looked up: " + InferlakeException.rootMessage(e), e);
    }
  }

  private static TableIdentifier identifier(SparkSession spark, String name) {
    try {
      return spark.sessionState().sqlParser().parseTableIdentifier(name);
    } catch (Exception e) {
      throw JobErrors.catalogTable("table", name, "is not a table name", e);
    }
  }

  private static boolean isView(CatalogTable t) {
    return t.tableType().name().equals("VIEW");
  }
}
