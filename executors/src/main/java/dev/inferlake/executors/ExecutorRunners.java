package dev.inferlake.executors;

import com.google.crypto.tink.Aead;
import dev.inferlake.executors.internal.ScoringErrors;
import dev.inferlake.model.ExecutorModelCache;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An executor JVM's runners: one per (model digest, runner options), loaded on first use by the
 * {@link Engine} its format maps to in an {@link Engines} table, by whichever task asks first, and
 * shared by every later task. {@link #shared()} is the JVM's instance, with the real engines; tests
 * build their own over fake engines.
 *
 * <p>Thread-safe. Owns its runners and closes them on eviction and on {@link #close()}.
 */
public final class ExecutorRunners implements AutoCloseable {
  /** Default bytes of idle models an executor JVM keeps loaded. */
  public static final long DEFAULT_BUDGET_BYTES = 4L << 30;

  private static final ExecutorRunners SHARED =
      new ExecutorRunners(Engines.defaults(), DEFAULT_BUDGET_BYTES);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(SHARED::close, "inferlake-runner-close"));
  }

  private final Engines engines;
  private final ExecutorModelCache<Runner> cache;

  /**
   * @param engines the engine for each model format
   * @param budgetBytes bytes of idle models to keep loaded
   */
  public ExecutorRunners(Engines engines, long budgetBytes) {
    this.engines = Objects.requireNonNull(engines, "engines");
    this.cache = new ExecutorModelCache<>(budgetBytes);
  }

  /** This JVM's runners, with the real engines; closed when the JVM exits. */
  public static ExecutorRunners shared() {
    return SHARED;
  }

  /** The engines runners are loaded with. */
  public Engines engines() {
    return engines;
  }

  /** The cache holding the runners, for its counters and default budget. */
  public ExecutorModelCache<Runner> cache() {
    return cache;
  }

  /**
   * Leases the runner for a model, loading it on first use. The model bytes are fetched from the
   * model's source and their digest verified before they reach the engine.
   *
   * @throws dev.inferlake.model.InferlakeException of kind MODEL when the bytes do not match, or
   *     the engine fails to load the model
   */
  public ExecutorModelCache.Lease<Runner> acquire(ScoredModel model, RunnerOptions options) {
    return acquire(model, options, null);
  }

  /**
   * Leases the runner for a model for a job, which keeps it loaded while idle within its own budget
   * only (see {@link ExecutorModelCache}), loading it on first use as {@link #acquire(ScoredModel,
   * RunnerOptions)} does.
   *
   * @param budget the job's budget; null for the cache's default
   */
  public ExecutorModelCache.Lease<Runner> acquire(
      ScoredModel model, RunnerOptions options, ExecutorModelCache.Budget budget) {
    // The exact package bytes (and, when encrypted, the key that must open them, as read now)
    // identify a runner: a job whose package or key differs never rides on a session another job
    // opened, nor on one opened with a key since rotated.
    KeyRef.Resolved key =
        model.manifest().encrypted() && model.key() != null ? model.key().resolve() : null;
    String cacheKey =
        model.digest()
            + "|"
            + model.payloadDigest()
            + (key != null ? "|" + key.fingerprint() : "")
            + "|"
            + options.device()
            + "|"
            + options.intraOpThreads();
    Aead aead = key == null ? null : key.aead();
    return budget == null
        ? cache.acquire(cacheKey, () -> load(model, options, aead))
        : cache.acquire(cacheKey, budget, () -> load(model, options, aead));
  }

  /**
   * @param aead the key read for this acquisition, for an encrypted model; null when none was given
   */
  private ExecutorModelCache.Loaded<Runner> load(
      ScoredModel model, RunnerOptions options, Aead aead) {
    ModelManifest m = model.manifest();
    Engine engine = engines.forFormat(m.format());
    if (model.source() instanceof StorageModelSource storage
        && !m.encrypted()
        && engine.loadsFromFile()) {
      Path file = storage.materialize(m);
      byte[] raw = readModel(file, m);
      checkSignature(m, raw);
      // counted at the model's own size, never the manifest's (unsigned, it may be edited)
      return new ExecutorModelCache.Loaded<>(
          engine.load(file, m.modelSignature(), model.label(), options), raw.length);
    }
    byte[] payload = model.source().bytes();
    String shipped = ModelDigest.sha256(payload);
    if (!shipped.equals(model.payloadDigest())) {
      throw ScoringErrors.payloadChanged(model.label(), model.payloadDigest(), shipped);
    }
    // Decrypt, decompress under the size cap and verify the digest, all in memory, before a byte
    // reaches the engine.
    byte[] raw = ModelPackage.unpack(m, payload, aead, ModelPackage.MAX_RAW_BYTES);
    checkSignature(m, raw);
    Runner runner = engine.load(raw, m.modelSignature(), model.label(), options);
    return new ExecutorModelCache.Loaded<>(runner, raw.length);
  }

  /**
   * The manifest's inputs and outputs must be the model's own, read from its (digest-checked)
   * bytes: bindings and output widths are planned from the manifest, so a manifest edited without
   * the signature covering it (unsigned, or signed under the first scheme) must not steer scoring.
   */
  private static void checkSignature(ModelManifest m, byte[] raw) {
    String what = "model '" + m.label() + "'";
    dev.inferlake.model.ModelSignature own = m.format().signature(raw, what);
    if (!own.equals(m.modelSignature())) {
      throw ScoringErrors.signatureMismatch(m.label(), m.modelSignature(), own);
    }
  }

  private static byte[] readModel(Path file, ModelManifest m) {
    try {
      return java.nio.file.Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw ScoringErrors.fetchFailed(file.toString(), e);
    }
  }

  /** Closes every runner this instance holds. */
  @Override
  public void close() {
    cache.close();
  }
}
