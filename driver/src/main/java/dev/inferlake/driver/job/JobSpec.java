package dev.inferlake.driver.job;

import dev.inferlake.executors.Device;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A scoring job, as written in YAML (snake_case keys). Immutable; {@link #validate()} checks every
 * value and names the key that is wrong.
 *
 * <pre>
 * input:
 *   path: /data/events.parquet     # file, folder or any Hadoop URI; may hold ${ds}
 *   format: parquet                # parquet | delta | csv | json | orc | images (a folder of
 *                                  # picture files: columns path, modificationTime, length, content)
 *   where: event_date = '${ds}'    # optional: a Spark SQL predicate ({@link DateTemplate})
 *   table: db.events               # instead of path: a catalog table ({@link CatalogTables})
 *   schema: id BIGINT, f0 DOUBLE   # csv/json: the columns (default: inferred)
 *   options: {sep: ';'}            # csv/json/orc reader options
 *   mode: batch                    # batch | incremental (a Delta input's new rows, {@link IncrementalRun})
 *   key: [id]                      # copied to every prediction row
 *   features:                      # model input name -> columns
 *     input: [f00, f01, f02]       # scalar columns, or one array column
 *     text: [description]          # a text model's string column, tokenized by its tokenizer
 *     image: [content]             # an image model's binary column of encoded pictures (the
 *                                  # default with format: images)
 * models:
 *   - name: churn
 *     version: v1
 *     path: /models/churn-v1.onnx
 *     output: probabilities         # optional: which model output its task reads (default: first)
 *     task:                         # optional: what that output means (default: the package's,
 *       kind: multilabel            #   else classifier when it holds > 1 value per row, else
 *       threshold: 0.5              #   regressor); see README "The prediction table"
 *       logits: true
 *     outputs: [logits, embedding]  # optional: model outputs stored as they are, in `outputs`
 *   - name: churn                   # no path: resolved as churn:v2 in the registry
 *     version: v2
 * registry: hdfs:///models          # optional: where name:version models live
 * shipping: broadcast               # broadcast (default) | storage (executors fetch from the registry)
 * security:                         # optional
 *   decryption_key_env: MODEL_KEY   # or decryption_key_file: Tink AES-GCM keyset for encrypted models
 *   require_signature: true
 *   trusted_keys: [/keys/release.pub.json]
 * output:
 *   table: /lake/predictions       # Delta table path
 *   quarantine_table: /lake/q      # default: the table's path + "_quarantine"
 *   on_conflict: fail              # fail (exit 5) | retry, when another run commits to this ds
 *   conflict_retries: 3            # attempts after the first, with on_conflict: retry
 * on_invalid: fail                 # fail | skip | quarantine rows a model cannot take
 * max_invalid_fraction: 0.05       # skip/quarantine: fail the run above this share of input rows
 * (input.mode: incremental, input.checkpoint, input.max_files_per_batch: see README "Incremental
 * runs")
 * resumable:                       # optional, for very large inputs
 *   chunks: 16                     # commit the input in 16 chunks; a rerun skips committed ones
 * batch_size: 1024                 # rows per engine call, or auto: each executor probes its model(s)
 * partitioning:                   # optional: how the input is cut into tasks
 *   mode: metadata                 # metadata (default): equal rows per task from Parquet footers and
 *                                  # Delta statistics | spark: Spark's own file splits
 *   target_task_seconds: 120       # aim for tasks this long (by the last run's measured costs)
 *   rows_per_task: 2000000         # or say the rows per task outright
 *   max_skew: 1.5                  # largest task at most this many times the median task's rows
 * device: cpu                      # cpu | gpu | gpu-required
 * model_cache_bytes: 4294967296    # idle models each executor JVM keeps loaded
 * allow_empty_input: false         # true: an empty input may remove the date's earlier rows
 * text_bucketing: true             # text models: sort a window of a few batches by text length
 * image_max_pixels: 89478485       # image models: larger pictures are bad rows, never decoded
 * skip_scored: false               # true: score only keys without a row of this model digest and ds
 * </pre>
 */
public record JobSpec(
    Input input,
    List<Model> models,
    Output output,
    String batchSize,
    String device,
    String registry,
    Security security,
    Long modelCacheBytes,
    String shipping,
    String onInvalid,
    Double maxInvalidFraction,
    Resumable resumable,
    Evaluate evaluate,
    ReportSpec report,
    Partitioning partitioning,
    Boolean allowEmptyInput,
    Boolean textBucketing,
    Long imageMaxPixels,
    Boolean skipScored) {

  /** Default rows per engine call. */
  public static final int DEFAULT_BATCH_SIZE = 1024;

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /**
   * Where the rows come from.
   *
   * @param path files or a Delta table; may hold {@code ${ds}} placeholders ({@link DateTemplate})
   * @param format parquet, delta, csv, json or orc
   * @param where a Spark SQL predicate the rows must meet, with {@code ${ds}} placeholders; null
   *     for every row
   * @param table a catalog table ({@code db.events}) instead of {@code path}
   * @param schema csv/json: the columns as Spark DDL ({@code id BIGINT, f0 DOUBLE}); null to infer
   * @param options csv/json/orc reader options ({@code sep}, {@code header}, ...)
   * @param mode {@code batch} (null: the default) scores every row; {@code incremental} scores the
   *     rows a Delta input gained since the last run of each version ({@link IncrementalRun})
   * @param checkpoint incremental: the folder of the streaming checkpoints, one per model version;
   *     null for the output table's path + {@code _checkpoints}
   * @param maxFilesPerBatch incremental: input files per micro-batch (one commit each); null for
   *     all new files in one
   */
  public record Input(
      String path,
      String format,
      List<String> key,
      Map<String, List<String>> features,
      String where,
      String table,
      String schema,
      Map<String, String> options,
      String mode,
      String checkpoint,
      Integer maxFilesPerBatch) {
    /** An input of files, without a filter, scored in batch mode. */
    public Input(String path, String format, List<String> key, Map<String, List<String>> features) {
      this(path, format, key, features, null, null, null, null, null, null, null);
    }

    /** Whether the run scores only the rows added since its versions' last runs. */
    public boolean incremental() {
      return "incremental".equals(mode);
    }
  }

  /**
   * One model version to score.
   *
   * @param output the model output its task reads; null for the package's, else the first
   * @param vocabSize {@code vocab_size}: per integer input, the vocabulary size of its ids, over
   *     what the package declares; null for none
   * @param task what that output means; null for the package's declaration, else the default
   * @param outputs model outputs stored as they are in the {@code outputs} struct; null for none
   */
  public record Model(
      String name,
      String version,
      String path,
      String output,
      Map<String, List<String>> features,
      Map<String, Long> vocabSize,
      Task task,
      List<String> outputs) {

    /** A model whose package (or today's default) says what its output means. */
    public Model(
        String name,
        String version,
        String path,
        String output,
        Map<String, List<String>> features) {
      this(name, version, path, output, features, null, null, null);
    }

    /** {@code name:version}. */
    public String label() {
      return name + ":" + version;
    }

    /** {@link #vocabSize}, never null. */
    public Map<String, Long> vocabSizeOrEmpty() {
      return vocabSize == null ? Map.of() : vocabSize;
    }
  }

  /**
   * A model's task, as a job or {@code model register} declares it; a field left null comes from
   * the package, else its default.
   *
   * @param kind classifier, binary, multilabel, regressor, embedding or raw
   * @param classNames one name per class or label (binary: the names of 0 and 1)
   * @param threshold binary/multilabel: the probability at or above which a label is on
   * @param logits binary/multilabel: the output holds logits (sigmoid is applied)
   * @param normalize embedding: {@code l2}
   * @param pooling embedding of a per-token output ({@code [batch, seq, dim]}): {@code mean}
   *     (default) or {@code cls}
   */
  public record Task(
      String kind,
      List<String> classNames,
      Double threshold,
      Boolean logits,
      String normalize,
      String pooling) {
    /** {@code task: binary}: the kind alone, shorthand for {@code task: {kind: binary}}. */
    public Task(String kind) {
      this(kind, null, null, null, null, null);
    }

    /** A task without pooling. */
    public Task(
        String kind, List<String> classNames, Double threshold, Boolean logits, String normalize) {
      this(kind, classNames, threshold, logits, normalize, null);
    }
  }

  /** Default share of invalid input rows above which skip/quarantine runs fail. */
  public static final double DEFAULT_MAX_INVALID_FRACTION = 0.05;

  /** Default attempts after the first with {@code on_conflict: retry}. */
  public static final int DEFAULT_CONFLICT_RETRIES = 3;

  /** Where predictions go, and what happens when another run commits to the same rows. */
  public record Output(
      String table,
      String quarantineTable,
      String onConflict,
      Integer conflictRetries,
      String runsTable) {
    /** The runs table: {@code runs_table}, or the prediction table's path + {@code _runs}. */
    public String runsTableOrDefault() {
      return runsTable != null ? runsTable : dev.inferlake.reports.RunsTable.defaultPath(table);
    }

    /** The quarantine table: as given, or the prediction table's path + {@code _quarantine}. */
    public String quarantineTableOrDefault() {
      if (quarantineTable != null) {
        return quarantineTable;
      }
      String t = table.endsWith("/") ? table.substring(0, table.length() - 1) : table;
      return t + "_quarantine";
    }

    /** Whether a commit conflict reruns the write (else the run fails with exit 5). */
    public boolean retryOnConflict() {
      return "retry".equals(onConflict);
    }

    /** Attempts after the first. */
    public int conflictRetriesOrDefault() {
      return !retryOnConflict()
          ? 0
          : conflictRetries == null ? DEFAULT_CONFLICT_RETRIES : conflictRetries;
    }
  }

  /**
   * Resumable mode: the input's files are cut into {@code chunks} groups committed one by one; a
   * rerun of the same ds and input after a crash skips the chunks already committed.
   */
  public record Resumable(Integer chunks) {}

  /**
   * Accuracy against labels that sit in the input.
   *
   * @param label the input column holding the true class index (classifiers) or value
   */
  public record Evaluate(String label) {}

  /**
   * A report written when the run has committed.
   *
   * @param out the folder for report.html, report.md and report.json (a local path or a Hadoop URI)
   * @param baseline {@code name:version} the others are compared with (default: the first model)
   * @param reference a date or run id for {@code psi_vs_reference}
   * @param thresholds rules such as {@code psi_vs_baseline<=0.2} (default: the report's defaults)
   */
  public record ReportSpec(String out, String baseline, String reference, List<String> thresholds) {
    /**
     * The report folder for run date {@code ds}: {@code ${ds}} and {@code ${ds_nodash}} in {@code
     * out} become the date ({@code 2026-07-01}, {@code 20260701}), so each night's report has a
     * folder of its own. A local path or any Hadoop URI ({@link JobFiles}).
     */
    public String outFor(java.time.LocalDate ds) {
      return out.replace("${ds}", ds.toString())
          .replace("${ds_nodash}", ds.toString().replace("-", ""));
    }
  }

  /**
   * Model security: where executors find the key for encrypted packages (read on each executor,
   * never shipped with tasks), and which signatures are required and trusted.
   */
  public record Security(
      String decryptionKeyEnv,
      String decryptionKeyFile,
      Boolean requireSignature,
      List<String> trustedKeys) {
    public boolean signatureRequired() {
      return Boolean.TRUE.equals(requireSignature);
    }

    public List<String> trustedKeysOrEmpty() {
      return trustedKeys == null ? List.of() : trustedKeys;
    }
  }

  public Security securityOrDefault() {
    return security == null ? new Security(null, null, false, List.of()) : security;
  }

  /**
   * Rows per engine call; {@link dev.inferlake.executors.ScoringSpec#AUTO_BATCH_SIZE} for {@code
   * auto}.
   */
  public int batchSizeOrDefault() {
    if (batchSize == null) {
      return DEFAULT_BATCH_SIZE;
    }
    if (batchSize.trim().equals("auto")) {
      return dev.inferlake.executors.ScoringSpec.AUTO_BATCH_SIZE;
    }
    try {
      int n = Integer.parseInt(batchSize.trim());
      if (n >= 1 && n <= 1_000_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // named below
    }
    throw JobErrors.badValue("batch_size", batchSize, "auto, or a count between 1 and 1000000");
  }

  /**
   * How the input is cut into tasks.
   *
   * @param mode {@code metadata} (default) or {@code spark}
   * @param targetTaskSeconds the task length to aim for, by the last run's engine rate and task
   *     cost
   * @param rowsPerTask rows per task, instead of a target time
   * @param maxSkew the largest task's rows over the median's at most
   */
  public record Partitioning(
      String mode, Double targetTaskSeconds, Long rowsPerTask, Double maxSkew) {
    /** Default task length to aim for. */
    public static final double DEFAULT_TARGET_TASK_SECONDS = 120;

    /** Rows per task when no earlier run gives a rate and no rows_per_task is set. */
    public static final long DEFAULT_ROWS_PER_TASK = 500_000;

    public boolean byMetadata() {
      return mode == null || mode.equals("metadata");
    }

    public double targetTaskSecondsOrDefault() {
      return targetTaskSeconds == null ? DEFAULT_TARGET_TASK_SECONDS : targetTaskSeconds;
    }

    public double maxSkewOrDefault() {
      return maxSkew == null ? dev.inferlake.partitioning.PlanTarget.DEFAULT_MAX_SKEW : maxSkew;
    }
  }

  public Partitioning partitioningOrDefault() {
    return partitioning == null ? new Partitioning(null, null, null, null) : partitioning;
  }

  /** Whether executors fetch packages from the registry themselves. */
  public boolean storageShipping() {
    return "storage".equals(shipping);
  }

  public long modelCacheBytesOrDefault() {
    return modelCacheBytes == null
        ? dev.inferlake.executors.ExecutorRunners.DEFAULT_BUDGET_BYTES
        : modelCacheBytes;
  }

  public Device deviceOrDefault() {
    return device == null ? Device.CPU : Device.parse(device);
  }

  public dev.inferlake.executors.OnInvalid onInvalidOrDefault() {
    return onInvalid == null
        ? dev.inferlake.executors.OnInvalid.FAIL
        : dev.inferlake.executors.OnInvalid.parse(onInvalid);
  }

  public double maxInvalidFractionOrDefault() {
    return maxInvalidFraction == null ? DEFAULT_MAX_INVALID_FRACTION : maxInvalidFraction;
  }

  /** Chunks the input is committed in; 1 when the run is not resumable. */
  /**
   * Whether a run whose input has no rows may still replace the date's earlier predictions with
   * nothing (by default it fails with exit 3 when there is anything to remove).
   */
  /**
   * The most pixels a picture may declare in its header ({@code image_max_pixels}); larger ones are
   * bad rows ({@code too_large}) and never decoded. Default: PIL's limit.
   */
  public long imageMaxPixelsOrDefault() {
    return imageMaxPixels == null
        ? dev.inferlake.executors.ImageFeed.DEFAULT_MAX_PIXELS
        : imageMaxPixels;
  }

  /** Whether text rows are bucketed by length inside each task (default true). */
  public boolean textBucketingOrDefault() {
    return !Boolean.FALSE.equals(textBucketing);
  }

  public boolean allowEmptyInputOrDefault() {
    return Boolean.TRUE.equals(allowEmptyInput);
  }

  public int chunksOrDefault() {
    return resumable == null || resumable.chunks() == null ? 1 : resumable.chunks();
  }

  /** Input format, lower case. */
  /** The report's threshold rules; null for the defaults. */
  public List<dev.inferlake.reports.Thresholds.Rule> thresholdRules() {
    if (report == null || report.thresholds() == null) {
      return null;
    }
    List<dev.inferlake.reports.Thresholds.Rule> rules = new java.util.ArrayList<>();
    for (int i = 0; i < report.thresholds().size(); i++) {
      try {
        rules.add(dev.inferlake.reports.Thresholds.parse(report.thresholds().get(i)));
      } catch (dev.inferlake.model.InferlakeException e) {
        throw JobErrors.badThreshold("report.thresholds[" + i + "]", e);
      }
    }
    return rules;
  }

  public String format() {
    return input.format() == null ? "parquet" : input.format();
  }

  /**
   * Whether {@code skip_scored} is on: keys already scored by the same model digest are skipped.
   */
  public boolean skipScoredOrDefault() {
    return Boolean.TRUE.equals(skipScored);
  }

  /**
   * Checks every value.
   *
   * @return this spec
   * @throws dev.inferlake.model.InferlakeException of kind USAGE naming the key
   */
  public JobSpec validate() {
    if (input == null) {
      throw JobErrors.missingKey("input");
    }
    InputSource.validate(input);
    if (imageMaxPixels != null && imageMaxPixels < 1) {
      throw JobErrors.badValue(
          "image_max_pixels", String.valueOf(imageMaxPixels), "a whole number of at least 1");
    }
    if (input.mode() != null && !List.of("batch", "incremental").contains(input.mode())) {
      throw JobErrors.badValue("input.mode", input.mode(), "batch or incremental");
    }
    if (input.incremental() && !format().equals("delta")) {
      throw JobErrors.badValue(
          "input.mode",
          input.mode(),
          "batch for a " + format() + " input; incremental runs read a Delta table's new commits");
    }
    if (input.incremental() && resumable != null) {
      throw JobErrors.badValue(
          "resumable",
          "chunks: " + resumable.chunks(),
          "left out with input.mode incremental (each micro-batch is its own commit)");
    }
    if (input.maxFilesPerBatch() != null && input.maxFilesPerBatch() < 1) {
      throw JobErrors.badValue(
          "input.max_files_per_batch", input.maxFilesPerBatch().toString(), "a count from 1");
    }
    if (input.key() == null || input.key().isEmpty()) {
      throw JobErrors.missingKey("input.key");
    }
    if (models == null || models.isEmpty()) {
      throw JobErrors.missingKey("models");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < models.size(); i++) {
      Model m = models.get(i);
      String at = "models[" + i + "]";
      if (m == null) {
        throw JobErrors.missingKey(at);
      }
      require(m.name(), at + ".name");
      require(m.version(), at + ".version");
      if ((m.path() == null || m.path().isBlank()) && registry == null) {
        throw JobErrors.missingKey(at + ".path (or 'registry', to find " + m.label() + " there)");
      }
      if (!SAFE_NAME.matcher(m.name()).matches()) {
        throw JobErrors.badValue(at + ".name", m.name(), "letters, digits, '.', '_' or '-'");
      }
      if (!SAFE_NAME.matcher(m.version()).matches()) {
        throw JobErrors.badValue(at + ".version", m.version(), "letters, digits, '.', '_' or '-'");
      }
      if (!seen.add(m.label())) {
        throw JobErrors.badValue(at, m.label(), "each model version listed once");
      }
      if (input.features() == null && m.features() == null && !format().equals(IMAGES_FORMAT)) {
        throw JobErrors.missingKey("input.features (or " + at + ".features)");
      }
      validateTask(m.task(), at + ".task");
      if (m.outputs() != null) {
        if (m.outputs().isEmpty()) {
          throw JobErrors.badValue(at + ".outputs", "[]", "a list of model output names");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String o : m.outputs()) {
          if (o == null || o.isBlank() || !names.add(o)) {
            throw JobErrors.badValue(
                at + ".outputs", String.valueOf(m.outputs()), "distinct model output names");
          }
        }
      }
    }
    if (output == null) {
      throw JobErrors.missingKey("output");
    }
    require(output.table(), "output.table");
    if (output.quarantineTable() != null) {
      require(output.quarantineTable(), "output.quarantine_table");
      if (output.quarantineTable().equals(output.table())) {
        throw JobErrors.badValue(
            "output.quarantine_table", output.quarantineTable(), "a table other than output.table");
      }
    }
    if (output.onConflict() != null && !List.of("fail", "retry").contains(output.onConflict())) {
      throw JobErrors.badValue("output.on_conflict", output.onConflict(), "one of fail, retry");
    }
    if (output.conflictRetries() != null
        && (output.conflictRetries() < 0 || output.conflictRetries() > 100)) {
      throw JobErrors.badValue(
          "output.conflict_retries", String.valueOf(output.conflictRetries()), "0 to 100");
    }
    if (onInvalid != null && dev.inferlake.executors.OnInvalid.parse(onInvalid) == null) {
      throw JobErrors.badValue("on_invalid", onInvalid, "one of fail, skip, quarantine");
    }
    if (maxInvalidFraction != null && !(maxInvalidFraction >= 0 && maxInvalidFraction <= 1)) {
      throw JobErrors.badValue(
          "max_invalid_fraction", String.valueOf(maxInvalidFraction), "a number from 0 to 1");
    }
    if (evaluate != null) {
      require(evaluate.label(), "evaluate.label");
    }
    if (report != null) {
      require(report.out(), "report.out");
      String unknown = report.out().replace("${ds}", "").replace("${ds_nodash}", "");
      if (unknown.contains("${")) {
        throw JobErrors.badValue(
            "report.out",
            report.out(),
            "a path whose only placeholders are ${ds} and ${ds_nodash}");
      }
      thresholdRules();
      if (report.baseline() != null
          && models.stream().noneMatch(m -> m.label().equals(report.baseline()))) {
        throw JobErrors.badValue(
            "report.baseline",
            report.baseline(),
            "one of the job's models: " + models.stream().map(Model::label).toList());
      }
    }
    if (output.runsTable() != null) {
      require(output.runsTable(), "output.runs_table");
      if (output.runsTable().equals(output.table())) {
        throw JobErrors.badValue(
            "output.runs_table", output.runsTable(), "a table other than output.table");
      }
    }
    if (resumable != null
        && (resumable.chunks() == null || resumable.chunks() < 1 || resumable.chunks() > 10_000)) {
      throw JobErrors.badValue(
          "resumable.chunks", String.valueOf(resumable.chunks()), "a count from 1 to 10000");
    }
    SkipScored.validate(this);
    batchSizeOrDefault();
    Partitioning part = partitioningOrDefault();
    if (part.mode() != null && !List.of("metadata", "spark").contains(part.mode())) {
      throw JobErrors.badValue("partitioning.mode", part.mode(), "one of metadata, spark");
    }
    if (part.targetTaskSeconds() != null && !(part.targetTaskSeconds() > 0)) {
      throw JobErrors.badValue(
          "partitioning.target_task_seconds",
          String.valueOf(part.targetTaskSeconds()),
          "a number of seconds > 0");
    }
    if (part.rowsPerTask() != null && part.rowsPerTask() < 1) {
      throw JobErrors.badValue(
          "partitioning.rows_per_task", String.valueOf(part.rowsPerTask()), "a count >= 1");
    }
    if (part.maxSkew() != null && !(part.maxSkew() >= 1)) {
      throw JobErrors.badValue(
          "partitioning.max_skew", String.valueOf(part.maxSkew()), "a number >= 1");
    }
    deviceOrDefault();
    if (shipping != null && !List.of("broadcast", "storage").contains(shipping)) {
      throw JobErrors.badValue("shipping", shipping, "one of broadcast, storage");
    }
    if (modelCacheBytes != null && modelCacheBytes < 0) {
      throw JobErrors.badValue(
          "model_cache_bytes", String.valueOf(modelCacheBytes), "a byte count >= 0");
    }
    Security sec = securityOrDefault();
    if (sec.decryptionKeyEnv() != null && sec.decryptionKeyFile() != null) {
      throw JobErrors.badValue(
          "security", "decryption_key_env and decryption_key_file", "only one of them");
    }
    if (sec.signatureRequired() && sec.trustedKeysOrEmpty().isEmpty()) {
      throw JobErrors.missingKey("security.trusted_keys (security.require_signature is true)");
    }
    return this;
  }

  /** Checks a task's values; {@code at} names it ({@code models[0].task}). */
  static void validateTask(Task t, String at) {
    if (t == null) {
      return;
    }
    if (t.kind() != null && dev.inferlake.executors.Task.Kind.parse(t.kind()) == null) {
      throw JobErrors.badValue(
          at + ".kind", t.kind(), "one of " + dev.inferlake.executors.Task.Kind.names());
    }
    if (t.threshold() != null && !(t.threshold() >= 0 && t.threshold() <= 1)) {
      throw JobErrors.badValue(at + ".threshold", String.valueOf(t.threshold()), "0 to 1");
    }
    if (t.normalize() != null && !t.normalize().equals("l2")) {
      throw JobErrors.badValue(at + ".normalize", t.normalize(), "l2");
    }
    if (t.pooling() != null && dev.inferlake.executors.Task.Pooling.parse(t.pooling()) == null) {
      throw JobErrors.badValue(at + ".pooling", t.pooling(), "mean or cls");
    }
    if (t.classNames() != null
        && (t.classNames().isEmpty()
            || t.classNames().stream().anyMatch(n -> n == null || n.isBlank()))) {
      throw JobErrors.badValue(
          at + ".class_names", String.valueOf(t.classNames()), "a list of non-empty names");
    }
  }

  /**
   * The feature key that maps a string column to a text model's tokenizer: it feeds every input the
   * tokenizer feeds ({@code input_ids}, {@code attention_mask}, {@code token_type_ids}) that is not
   * mapped by its own name.
   */
  public static final String TEXT_FEATURE = "text";

  /**
   * The feature key that maps a binary column of encoded pictures to an image model's input (the
   * one its package's image preprocessing feeds), when that input is not mapped by its own name.
   */
  public static final String IMAGE_FEATURE = "image";

  /**
   * The input format of a folder of picture files, read with Spark's {@code binaryFile} source: one
   * row per file, columns {@code path}, {@code modificationTime}, {@code length}, {@code content}.
   */
  public static final String IMAGES_FORMAT = "images";

  /** The column of an {@link #IMAGES_FORMAT} input that holds each file's bytes. */
  public static final String IMAGES_CONTENT = "content";

  /** The columns feeding model input {@code inputName} of {@code m}, or null if none are mapped. */
  public List<String> featuresFor(Model m, String inputName) {
    if (m.features() != null && m.features().containsKey(inputName)) {
      return m.features().get(inputName);
    }
    return input.features() == null ? null : input.features().get(inputName);
  }

  private static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw JobErrors.missingKey(key);
    }
  }
}
