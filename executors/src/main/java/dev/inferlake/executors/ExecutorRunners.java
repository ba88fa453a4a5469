package dev.inferlake.executors;

import com.google.crypto.tink.Aead;
import dev.inferlake.executors.internal.DjlRunner;
import dev.inferlake.executors.internal.OnnxRunner;
import dev.inferlake.executors.internal.ScoringErrors;
import dev.inferlake.model.ExecutorModelCache;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;

/**
 * The executor JVM's runners: one per (model digest, runner options), created on first use by
 * whichever task asks first and shared by every later task in the JVM.
 */
public final class ExecutorRunners {
  /** Default bytes of idle models an executor JVM keeps loaded. */
  public static final long DEFAULT_BUDGET_BYTES = 4L << 30;

  private static final ExecutorModelCache<Runner> CACHE =
      new ExecutorModelCache<>(DEFAULT_BUDGET_BYTES);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(CACHE::close, "inferlake-runner-close"));
  }

  private ExecutorRunners() {}

  /** This JVM's cache, for its counters. */
  public static ExecutorModelCache<Runner> cache() {
    return CACHE;
  }

  /**
   * Leases the runner for a model, loading it on first use. The model bytes are fetched from the
   * model's source and their digest verified before they reach the engine.
   */
  public static ExecutorModelCache.Lease<Runner> acquire(ScoredModel model, RunnerOptions options) {
    // The exact package bytes (and, when encrypted, the key that must open them) identify a
    // runner: a job whose package or key differs never rides on a session another job opened.
    String key =
        model.digest()
            + "|"
            + model.payloadDigest()
            + (model.manifest().encrypted() ? "|" + model.key() : "")
            + "|"
            + options.device()
            + "|"
            + options.intraOpThreads();
    return CACHE.acquire(
        key,
        () -> {
          ModelManifest m = model.manifest();
          boolean torch = m.format() == dev.inferlake.model.ModelFormat.TORCHSCRIPT;
          if (model.source() instanceof StorageModelSource storage && !m.encrypted() && !torch) {
            java.nio.file.Path file = storage.materialize(m);
            return new ExecutorModelCache.Loaded<Runner>(
                OnnxRunner.load(file, m.modelSignature(), model.label(), options), m.rawBytes());
          }
          byte[] payload = model.source().bytes();
          String shipped = ModelDigest.sha256(payload);
          if (!shipped.equals(model.payloadDigest())) {
            throw ScoringErrors.payloadChanged(model.label(), model.payloadDigest(), shipped);
          }
          Aead aead = m.encrypted() && model.key() != null ? model.key().aead() : null;
          // Decrypt, decompress under the size cap and verify the digest, all in memory, before
          // a byte reaches the engine.
          byte[] raw = ModelPackage.unpack(m, payload, aead, ModelPackage.MAX_RAW_BYTES);
          Runner runner =
              torch
                  ? DjlRunner.load(raw, m.modelSignature(), model.label(), options)
                  : OnnxRunner.load(raw, model.label(), options);
          return new ExecutorModelCache.Loaded<Runner>(runner, raw.length);
        });
  }
}
