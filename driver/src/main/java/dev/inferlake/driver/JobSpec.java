package dev.inferlake.driver;

import dev.inferlake.driver.internal.JobErrors;
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
 *   path: /data/events.parquet     # file, folder or any Hadoop URI
 *   format: parquet                # parquet | delta
 *   key: [id]                      # copied to every prediction row
 *   features:                      # model input name -> columns
 *     input: [f00, f01, f02]       # scalar columns, or one array column
 * models:
 *   - name: churn
 *     version: v1
 *     path: /models/churn-v1.onnx
 *     output: probabilities         # optional: which model output to store (default: first)
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
 * batch_size: 1024
 * device: cpu                      # cpu | gpu | gpu-required
 * model_cache_bytes: 4294967296    # idle models each executor JVM keeps loaded
 * </pre>
 */
public record JobSpec(
    Input input,
    List<Model> models,
    Output output,
    Integer batchSize,
    String device,
    String registry,
    Security security,
    Long modelCacheBytes,
    String shipping) {

  /** Default rows per engine call. */
  public static final int DEFAULT_BATCH_SIZE = 1024;

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Where the rows come from. */
  public record Input(
      String path, String format, List<String> key, Map<String, List<String>> features) {}

  /** One model version to score. */
  public record Model(
      String name, String version, String path, String output, Map<String, List<String>> features) {
    /** {@code name:version}. */
    public String label() {
      return name + ":" + version;
    }
  }

  /** Where predictions go. */
  public record Output(String table) {}

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

  public int batchSizeOrDefault() {
    return batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
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

  /** Input format, lower case. */
  public String format() {
    return input.format() == null ? "parquet" : input.format();
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
    require(input.path(), "input.path");
    if (!List.of("parquet", "delta").contains(format())) {
      throw JobErrors.badValue("input.format", input.format(), "one of parquet, delta");
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
      if (input.features() == null && m.features() == null) {
        throw JobErrors.missingKey("input.features (or " + at + ".features)");
      }
    }
    if (output == null) {
      throw JobErrors.missingKey("output");
    }
    require(output.table(), "output.table");
    if (batchSize != null && (batchSize < 1 || batchSize > 1_000_000)) {
      throw JobErrors.badValue("batch_size", String.valueOf(batchSize), "between 1 and 1000000");
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
