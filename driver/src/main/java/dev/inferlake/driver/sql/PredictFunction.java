package dev.inferlake.driver.sql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.compat.SparkCompat;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.job.ScoringJob;
import dev.inferlake.driver.registry.ModelRegistry;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.TensorSpec;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * The table-valued SQL function {@code inferlake_predict(models, source, keys [, features])}: the
 * predictions of registry model versions for the rows of a table or query, in the prediction
 * table's schema. It is a job's scoring with the session as the job: the models are resolved and
 * verified as a job resolves them (digest, and signatures under the session's policy), and the rows
 * are scored by the same planner and batched partition scorer, one engine call per batch of {@code
 * spark.inferlake.batch_size} rows, never one per row.
 *
 * <p>Session settings ({@code SET key=value} or {@code --conf}): {@value #REGISTRY} (required),
 * {@value #REQUIRE_SIGNATURE}, {@value #TRUSTED_KEYS} (comma-separated keyset files), {@value
 * #DECRYPTION_KEY_FILE}, {@value #DECRYPTION_KEY_ENV}, {@value #BATCH_SIZE}.
 */
public final class PredictFunction {
  public static final String NAME = "inferlake_predict";
  public static final String REGISTRY = "spark.inferlake.registry";
  public static final String REQUIRE_SIGNATURE = "spark.inferlake.security.require_signature";
  public static final String TRUSTED_KEYS = "spark.inferlake.security.trusted_keys";
  public static final String DECRYPTION_KEY_FILE = "spark.inferlake.security.decryption_key_file";
  public static final String DECRYPTION_KEY_ENV = "spark.inferlake.security.decryption_key_env";
  public static final String BATCH_SIZE = "spark.inferlake.batch_size";

  private static final String USAGE =
      NAME
          + "(models, source, keys [, features]): models 'name:version[, name:version ...]' from"
          + " the registry in "
          + REGISTRY
          + "; source a table name or a query; keys the key columns, comma-separated; features"
          + " the columns that feed the model's input (default: every other column of the"
          + " source), or 'input=a,b; other=c' for models of several inputs";

  private static final ObjectMapper JSON = new ObjectMapper();

  private PredictFunction() {}

  /** The function's name in the catalog. */
  static FunctionIdentifier id() {
    return FunctionIdentifier.apply(NAME);
  }

  /**
   * Registers the function in {@code spark}'s session, for sessions built without the extension;
   * registering it again replaces it.
   */
  public static void register(SparkSession spark) {
    SparkCompat.registerTableFunction(spark, id(), info(), PredictFunction::plan);
  }

  static ExpressionInfo info() {
    return new ExpressionInfo(PredictFunction.class.getName(), null, NAME, USAGE, "");
  }

  /** The plan of one call: resolution and checks happen here, at analysis. */
  static LogicalPlan plan(List<Expression> args) {
    List<String> values = new ArrayList<>();
    for (Expression e : args) {
      if (!e.foldable()) {
        throw usage("every argument must be a constant string; got " + e.sql());
      }
      Object v = e.eval(null);
      if (v == null) {
        throw usage("an argument is null");
      }
      values.add(v.toString());
    }
    if (values.size() < 3 || values.size() > 4) {
      throw usage("takes 3 or 4 arguments, got " + values.size());
    }
    SparkSession spark = SparkSession.active();
    return SparkCompat.logicalPlan(
        predictions(
            spark,
            values.get(0),
            values.get(1),
            values.get(2),
            values.size() == 4 ? values.get(3) : null));
  }

  /**
   * The predictions of {@code models} for the rows of {@code source}, as the SQL function returns
   * them.
   *
   * @param models {@code name:version}, comma-separated
   * @param source a table name or a query ({@code SELECT ...}, {@code WITH ...}, {@code FROM ...})
   * @param keys the key columns, comma-separated
   * @param features null for every non-key column into each model's one input; {@code a, b} for
   *     those columns; {@code input=a,b; other=c} per model input
   * @throws InferlakeException USAGE for a bad argument or setting, and what a job throws for the
   *     same models and rows (MODEL for an unsigned model when signatures are required, ...)
   */
  public static Dataset<Row> predictions(
      SparkSession spark, String models, String source, String keys, String features) {
    String registry = spark.conf().get(REGISTRY, null);
    if (registry == null || registry.isBlank()) {
      throw usage("set " + REGISTRY + " to the model registry (a folder or Hadoop URI)");
    }
    List<String[]> versions = new ArrayList<>();
    for (String label : list(models, ",")) {
      int colon = label.indexOf(':');
      if (colon <= 0 || colon == label.length() - 1) {
        throw usage("model '" + label + "' is not name:version");
      }
      versions.add(new String[] {label.substring(0, colon), label.substring(colon + 1), label});
    }
    if (versions.isEmpty()) {
      throw usage("name at least one model version");
    }
    Dataset<Row> rows = isQuery(source) ? spark.sql(source) : spark.table(source.trim());
    List<String> keyColumns = list(keys, ",");
    if (keyColumns.isEmpty()) {
      throw usage("name at least one key column");
    }
    List<String> others = new ArrayList<>(Arrays.asList(rows.columns()));
    others.removeAll(keyColumns);

    ObjectNode spec = JSON.createObjectNode();
    ObjectNode input = spec.putObject("input");
    input.put("path", "sql:" + NAME + "(" + source.trim() + ")");
    ArrayNode key = input.putArray("key");
    keyColumns.forEach(key::add);
    Map<String, List<String>> perInput = features == null ? null : perInput(features);
    if (perInput != null) {
      ObjectNode f = input.putObject("features");
      perInput.forEach((in, cols) -> cols.forEach(f.putArray(in)::add));
    }
    spec.put("registry", registry);
    ModelRegistry reg = new ModelRegistry(registry, spark.sparkContext().hadoopConfiguration());
    ArrayNode ms = spec.putArray("models");
    for (String[] v : versions) {
      ObjectNode m = ms.addObject();
      m.put("name", v[0]);
      m.put("version", v[1]);
      if (perInput == null) {
        String only = onlyInput(reg.manifest(v[0], v[1]), v[2]);
        List<String> cols = features == null ? others : list(features, ",");
        cols.forEach(m.putObject("features").putArray(only)::add);
      }
    }
    ObjectNode sec = spec.putObject("security");
    sec.put(
        "require_signature", Boolean.parseBoolean(spark.conf().get(REQUIRE_SIGNATURE, "false")));
    ArrayNode trusted = sec.putArray("trusted_keys");
    list(spark.conf().get(TRUSTED_KEYS, ""), ",").forEach(trusted::add);
    putIfSet(spark, sec, "decryption_key_file", DECRYPTION_KEY_FILE);
    putIfSet(spark, sec, "decryption_key_env", DECRYPTION_KEY_ENV);
    putIfSet(spark, spec, "batch_size", BATCH_SIZE);
    // Never written: the spec needs an output, and a fixed task size keeps the runs table unread.
    spec.putObject("output").put("table", "sql:" + NAME);
    spec.putObject("partitioning").put("rows_per_task", JobSpec.Partitioning.DEFAULT_ROWS_PER_TASK);

    JobSpec job;
    try {
      job = JobSpecLoader.parse(JSON.writeValueAsString(spec), NAME, List.of());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Clock clock = Clock.systemUTC();
    return new ScoringJob(spark, clock)
        .predictions(
            job,
            LocalDate.now(clock.withZone(ZoneOffset.UTC)),
            rows,
            SqlScoringMetrics.of(spark.sparkContext()),
            "sql-" + UUID.randomUUID());
  }

  /** The name of a model's one input; a model of several inputs needs its columns named. */
  private static String onlyInput(ModelManifest m, String label) {
    if (m.tokenizer() != null) {
      return JobSpec.TEXT_FEATURE;
    }
    List<String> names = m.modelSignature().inputs().stream().map(TensorSpec::name).toList();
    if (names.size() != 1) {
      throw usage(
          "model '"
              + label
              + "' has inputs "
              + names
              + "; name the columns of each as the fourth argument, e.g. '"
              + names.get(0)
              + "=a,b; "
              + names.get(1)
              + "=c'");
    }
    return names.get(0);
  }

  /** {@code input=a,b; other=c} as a map, or null for a plain column list. */
  private static Map<String, List<String>> perInput(String features) {
    if (!features.contains("=")) {
      return null;
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String part : list(features, ";")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw usage("features '" + part + "' is not input=columns");
      }
      out.put(part.substring(0, eq).trim(), list(part.substring(eq + 1), ","));
    }
    return out;
  }

  private static boolean isQuery(String source) {
    String s = source.trim().toLowerCase(Locale.ROOT);
    return s.startsWith("(") || s.matches("(?s)^(select|with|from|values|table)\\b.*");
  }

  private static List<String> list(String text, String separator) {
    List<String> out = new ArrayList<>();
    for (String p : text.split(java.util.regex.Pattern.quote(separator))) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }

  private static void putIfSet(SparkSession spark, ObjectNode node, String field, String conf) {
    String v = spark.conf().get(conf, null);
    if (v != null && !v.isBlank()) {
      node.put(field, v);
    }
  }

  private static InferlakeException usage(String what) {
    return new InferlakeException(ErrorKind.USAGE, NAME + ": " + what + ". Usage: " + USAGE);
  }
}
