package dev.inferlake.driver.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.inferlake.driver.job.JobSpec;
import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.executors.Device;
import dev.inferlake.executors.OnInvalid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A job spec for tests, kept as the YAML a user would write: {@link #yaml()} is the text a test
 * hands to the CLI ({@link #writeTo}), and {@link #spec} parses that same text with {@link
 * JobSpecLoader}, so every spec a test uses has passed the loader's validation. Method names follow
 * the YAML keys (README, {@link JobSpec}); a key never set is left out, so the loader's default
 * applies.
 *
 * <pre>{@code
 * JobSpecBuilder job =
 *     JobSpecBuilder.create()
 *         .input(dir.resolve("in"))
 *         .key("id")
 *         .features("input", "a", "b", "c")
 *         .model("m", "v1", dir.resolve("m.onnx"))
 *         .output(dir.resolve("out"));
 * Path file = job.writeTo(dir.resolve("job.yaml"));
 * JobSpec spec = job.spec("batch_size=7");
 * }</pre>
 *
 * <p>Mutable and not thread-safe: each setter changes this builder and returns it. Take a {@link
 * #copy()} for a variant of a shared spec.
 */
public final class JobSpecBuilder {
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  /** The order of the top-level keys in {@link #yaml()}, as the README lists them. */
  private static final List<String> KEY_ORDER =
      List.of(
          "input",
          "models",
          "registry",
          "shipping",
          "security",
          "output",
          "on_invalid",
          "max_invalid_fraction",
          "resumable",
          "batch_size",
          "partitioning",
          "device",
          "model_cache_bytes",
          "allow_empty_input",
          "text_bucketing",
          "evaluate",
          "report");

  private static final String SOURCE = "built by JobSpecBuilder";

  private final ObjectNode root;

  private JobSpecBuilder(ObjectNode root) {
    this.root = root;
  }

  /** An empty spec: set at least the input, its key and features, a model and the output. */
  public static JobSpecBuilder create() {
    return new JobSpecBuilder(JsonNodeFactory.instance.objectNode());
  }

  /** An independent builder holding the same keys. */
  public JobSpecBuilder copy() {
    return new JobSpecBuilder(root.deepCopy());
  }

  // input

  /** {@code input.path}: a file, folder or Hadoop URI. */
  public JobSpecBuilder input(String path) {
    section("input").put("path", path);
    return this;
  }

  /** {@code input.path}. */
  public JobSpecBuilder input(Path path) {
    return input(path.toString());
  }

  /**
   * {@code input.format}: {@code parquet}, {@code delta}, {@code csv}, {@code json} or {@code orc}.
   */
  public JobSpecBuilder format(String format) {
    section("input").put("format", format);
    return this;
  }

  /** {@code input.where}: a Spark SQL predicate, with {@code ${ds}} placeholders. */
  public JobSpecBuilder where(String predicate) {
    section("input").put("where", predicate);
    return this;
  }

  /** {@code input.table}: a catalog table instead of {@code input.path} (which it removes). */
  public JobSpecBuilder inputTable(String name) {
    section("input").remove("path");
    section("input").put("table", name);
    return this;
  }

  /** {@code input.schema}: csv/json columns as Spark DDL. */
  public JobSpecBuilder inputSchema(String ddl) {
    section("input").put("schema", ddl);
    return this;
  }

  /** {@code input.key}: the columns copied to every prediction row. */
  public JobSpecBuilder key(String... columns) {
    section("input").set("key", strings(List.of(columns)));
    return this;
  }

  /** {@code input.features.<modelInput>}: the columns feeding that input of every model. */
  public JobSpecBuilder features(String modelInput, String... columns) {
    return features(modelInput, List.of(columns));
  }

  /** {@code input.features.<modelInput>}. */
  public JobSpecBuilder features(String modelInput, List<String> columns) {
    section(section("input"), "features").set(modelInput, strings(columns));
    return this;
  }

  // models

  /** Adds a model read from {@code path}. */
  public JobSpecBuilder model(String name, String version, Path path) {
    return model(Model.of(name, version).path(path));
  }

  /** Adds a model found as {@code name:version} in the {@link #registry}. */
  public JobSpecBuilder model(String name, String version) {
    return model(Model.of(name, version));
  }

  /** Adds an entry of {@code models}. */
  public JobSpecBuilder model(Model model) {
    ArrayNode models = root.get("models") instanceof ArrayNode a ? a : root.putArray("models");
    models.add(model.node.deepCopy());
    return this;
  }

  /** {@code registry}: where models without a path are found. */
  public JobSpecBuilder registry(String registry) {
    root.put("registry", registry);
    return this;
  }

  /** {@code shipping}: {@code broadcast} or {@code storage}. */
  public JobSpecBuilder shipping(String shipping) {
    root.put("shipping", shipping);
    return this;
  }

  // security

  /** {@code security.decryption_key_env}. */
  public JobSpecBuilder decryptionKeyEnv(String variable) {
    section("security").put("decryption_key_env", variable);
    return this;
  }

  /** {@code security.decryption_key_file}. */
  public JobSpecBuilder decryptionKeyFile(String file) {
    section("security").put("decryption_key_file", file);
    return this;
  }

  /** {@code security.require_signature}. */
  public JobSpecBuilder requireSignature(boolean required) {
    section("security").put("require_signature", required);
    return this;
  }

  /** {@code security.trusted_keys}: public keyset files. */
  public JobSpecBuilder trustedKeys(String... files) {
    section("security").set("trusted_keys", strings(List.of(files)));
    return this;
  }

  // output

  /** {@code output.table}: the prediction table's path. */
  public JobSpecBuilder output(String table) {
    section("output").put("table", table);
    return this;
  }

  /** {@code output.table}. */
  public JobSpecBuilder output(Path table) {
    return output(table.toString());
  }

  /** {@code output.quarantine_table}. */
  public JobSpecBuilder quarantineTable(String table) {
    section("output").put("quarantine_table", table);
    return this;
  }

  /** {@code output.runs_table}. */
  public JobSpecBuilder runsTable(String table) {
    section("output").put("runs_table", table);
    return this;
  }

  /** {@code output.on_conflict}: {@code fail} or {@code retry}. */
  public JobSpecBuilder onConflict(String onConflict) {
    section("output").put("on_conflict", onConflict);
    return this;
  }

  /** {@code output.conflict_retries}. */
  public JobSpecBuilder conflictRetries(int retries) {
    section("output").put("conflict_retries", retries);
    return this;
  }

  // run semantics

  /** {@code on_invalid}. */
  public JobSpecBuilder onInvalid(OnInvalid onInvalid) {
    root.put("on_invalid", onInvalid.specName());
    return this;
  }

  /** {@code max_invalid_fraction}. */
  public JobSpecBuilder maxInvalidFraction(double fraction) {
    root.put("max_invalid_fraction", fraction);
    return this;
  }

  /** {@code resumable.chunks}. */
  public JobSpecBuilder chunks(int chunks) {
    section("resumable").put("chunks", chunks);
    return this;
  }

  /** {@code batch_size}: rows per engine call. */
  public JobSpecBuilder batchSize(int rows) {
    root.put("batch_size", rows);
    return this;
  }

  /** {@code batch_size: auto}. */
  public JobSpecBuilder batchSizeAuto() {
    root.put("batch_size", "auto");
    return this;
  }

  // partitioning

  /** {@code partitioning.mode}: {@code metadata} or {@code spark}. */
  public JobSpecBuilder partitioningMode(String mode) {
    section("partitioning").put("mode", mode);
    return this;
  }

  /** {@code partitioning.rows_per_task}. */
  public JobSpecBuilder rowsPerTask(long rows) {
    section("partitioning").put("rows_per_task", rows);
    return this;
  }

  /** {@code partitioning.target_task_seconds}. */
  public JobSpecBuilder targetTaskSeconds(double seconds) {
    section("partitioning").put("target_task_seconds", seconds);
    return this;
  }

  /** {@code partitioning.max_skew}. */
  public JobSpecBuilder maxSkew(double skew) {
    section("partitioning").put("max_skew", skew);
    return this;
  }

  /** {@code device}. */
  public JobSpecBuilder device(Device device) {
    root.put("device", device.specName());
    return this;
  }

  /** {@code model_cache_bytes}. */
  public JobSpecBuilder modelCacheBytes(long bytes) {
    root.put("model_cache_bytes", bytes);
    return this;
  }

  // evaluation and report

  /** {@code text_bucketing}: whether text rows are sorted by length in a window of batches. */
  public JobSpecBuilder textBucketing(boolean on) {
    root.put("text_bucketing", on);
    return this;
  }

  /** {@code allow_empty_input}: whether an empty input may empty a date. */
  public JobSpecBuilder allowEmptyInput(boolean allow) {
    root.put("allow_empty_input", allow);
    return this;
  }

  /** {@code evaluate.label}: the input column holding the true class or value. */
  public JobSpecBuilder evaluate(String labelColumn) {
    section("evaluate").put("label", labelColumn);
    return this;
  }

  /** {@code report.out}: the folder the run writes its report to. */
  public JobSpecBuilder report(Path out) {
    section("report").put("out", out.toString());
    return this;
  }

  /** {@code report.baseline}: {@code name:version}. */
  public JobSpecBuilder reportBaseline(String model) {
    section("report").put("baseline", model);
    return this;
  }

  /** {@code report.reference}: a date or run id. */
  public JobSpecBuilder reportReference(String reference) {
    section("report").put("reference", reference);
    return this;
  }

  /** {@code report.thresholds}: rules such as {@code psi_vs_baseline<=0.2}. */
  public JobSpecBuilder reportThresholds(String... rules) {
    section("report").set("thresholds", strings(List.of(rules)));
    return this;
  }

  // results

  /** The spec as YAML, top-level keys in the README's order. */
  public String yaml() {
    ObjectNode ordered = JsonNodeFactory.instance.objectNode();
    for (String key : KEY_ORDER) {
      if (root.has(key)) {
        ordered.set(key, root.get(key));
      }
    }
    try {
      return YAML.writeValueAsString(ordered);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a job spec as YAML", e);
    }
  }

  /**
   * Parses {@link #yaml()} with {@link JobSpecLoader}, as {@code inferlake run} would.
   *
   * @param overrides {@code key=value} pairs, as the CLI's {@code --set}
   * @throws dev.inferlake.model.InferlakeException of kind USAGE when the spec is not valid
   */
  public JobSpec spec(String... overrides) {
    return JobSpecLoader.parse(yaml(), SOURCE, List.of(overrides));
  }

  /**
   * Checks the spec with {@link #spec} and writes its YAML to {@code file}, creating the folder.
   *
   * @return {@code file}
   */
  public Path writeTo(Path file) {
    spec();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.writeString(file, yaml());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the job spec " + file, e);
    }
  }

  @Override
  public String toString() {
    return yaml();
  }

  private ObjectNode section(String key) {
    return section(root, key);
  }

  private static ObjectNode section(ObjectNode parent, String key) {
    return parent.get(key) instanceof ObjectNode o ? o : parent.putObject(key);
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    values.forEach(a::add);
    return a;
  }

  /** One entry of {@code models}; mutable, and copied when added to a spec. */
  public static final class Model {
    private final ObjectNode node = JsonNodeFactory.instance.objectNode();

    private Model() {}

    /** {@code name} and {@code version}; with no {@link #path}, found in the registry. */
    public static Model of(String name, String version) {
      Model m = new Model();
      m.node.put("name", name).put("version", version);
      return m;
    }

    /** {@code path}: the model file. */
    public Model path(String path) {
      node.put("path", path);
      return this;
    }

    /** {@code path}. */
    public Model path(Path path) {
      return path(path.toString());
    }

    /** {@code output}: which model output to store. */
    public Model output(String output) {
      node.put("output", output);
      return this;
    }

    /** {@code vocab_size.<modelInput>}: the vocabulary size of an integer input's ids. */
    public Model vocabSize(String modelInput, long size) {
      section(node, "vocab_size").put(modelInput, size);
      return this;
    }

    /** {@code task.kind}: what the model output means (classifier, binary, ...). */
    public Model task(String kind) {
      section(node, "task").put("kind", kind);
      return this;
    }

    /** {@code task.class_names}. */
    public Model classNames(String... names) {
      section(node, "task").set("class_names", strings(List.of(names)));
      return this;
    }

    /** {@code task.threshold}. */
    public Model threshold(double threshold) {
      section(node, "task").put("threshold", threshold);
      return this;
    }

    /** {@code task.logits}. */
    public Model logits(boolean logits) {
      section(node, "task").put("logits", logits);
      return this;
    }

    /** {@code task.normalize}. */
    public Model normalize(String normalize) {
      section(node, "task").put("normalize", normalize);
      return this;
    }

    /** {@code task.pooling}: mean or cls, for a per-token output. */
    public Model pooling(String pooling) {
      section(node, "task").put("pooling", pooling);
      return this;
    }

    /** {@code outputs}: model outputs stored as they are. */
    public Model outputs(String... outputs) {
      node.set("outputs", strings(List.of(outputs)));
      return this;
    }

    /** {@code features.<modelInput>}: columns for this model alone. */
    public Model features(String modelInput, String... columns) {
      section(node, "features").set(modelInput, strings(List.of(columns)));
      return this;
    }
  }
}
