package dev.inferlake.executors;

import dev.inferlake.executors.internal.OnnxRunner;
import dev.inferlake.executors.internal.ScoringErrors;
import dev.inferlake.model.ExecutorModelCache;
import dev.inferlake.model.ModelDigest;

/**
 * The executor JVM's runners: one per (model digest, runner options), created on first use by
 * whichever task asks first and shared by every later task in the JVM.
 */
public final class ExecutorRunners {
  private static final ExecutorModelCache<Runner> CACHE = new ExecutorModelCache<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(CACHE::close, "inferlake-runner-close"));
  }

  private ExecutorRunners() {}

  /** This JVM's cache, for its counters. */
  public static ExecutorModelCache<Runner> cache() {
    return CACHE;
  }

  /**
   * Returns the runner for a model, loading it on first use. The model bytes are fetched from the
   * model's source and their digest verified before they reach the engine.
   */
  public static Runner get(ScoredModel model, RunnerOptions options) {
    String key = model.digest() + "|" + options.device() + "|" + options.intraOpThreads();
    return CACHE.get(
        key,
        () -> {
          byte[] bytes = model.source().bytes();
          String actual = ModelDigest.sha256(bytes);
          if (!actual.equals(model.digest())) {
            throw ScoringErrors.digestMismatch(model.label(), model.digest(), actual);
          }
          return OnnxRunner.load(bytes, model.label(), options);
        });
  }
}
