package dev.inferlake.reports;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The named per-version figures of a report: what thresholds test and deltas compare. */
public final class ReportMetrics {
  /** Every metric name, in display order. */
  public static final List<String> NAMES =
      List.of(
          "accuracy",
          "precision_macro",
          "recall_macro",
          "f1_macro",
          "roc_auc",
          "log_loss",
          "rmse",
          "mae",
          "r2",
          "f1_micro",
          "hamming_loss",
          "subset_accuracy",
          "rmse_mean",
          "mae_mean",
          "r2_mean",
          "embedding_cosine_mean",
          "embedding_cosine_p1",
          "embedding_cosine_p5",
          "embedding_nn_overlap",
          "psi_vs_baseline",
          "psi_vs_reference",
          "agreement_with_baseline",
          "rows_per_s",
          "engine_rows_per_s",
          "batch_p50_ms",
          "batch_p95_ms",
          "batch_p99_ms",
          "model_raw_bytes",
          "model_shipped_bytes",
          "invalid_fraction");

  /** Metrics where a larger value is worse (the rest: larger is better, or neutral). */
  public static final List<String> LOWER_IS_BETTER =
      List.of(
          "log_loss",
          "rmse",
          "mae",
          "hamming_loss",
          "rmse_mean",
          "mae_mean",
          "psi_vs_baseline",
          "psi_vs_reference",
          "batch_p50_ms",
          "batch_p95_ms",
          "batch_p99_ms",
          "model_raw_bytes",
          "model_shipped_bytes",
          "invalid_fraction");

  private ReportMetrics() {}

  /** One version's metrics by name; a metric it lacks is absent. */
  public static Map<String, Double> of(
      RunRecord run,
      Evaluation evaluation,
      Double psiVsBaseline,
      Double psiVsReference,
      Double agreementWithBaseline) {
    return of(run, evaluation, psiVsBaseline, psiVsReference, agreementWithBaseline, null);
  }

  /**
   * One version's metrics by name, with how its embeddings compare with the baseline's; a metric it
   * lacks is absent.
   *
   * @param embeddings the version's embeddings against the baseline's, or null
   */
  public static Map<String, Double> of(
      RunRecord run,
      Evaluation evaluation,
      Double psiVsBaseline,
      Double psiVsReference,
      Double agreementWithBaseline,
      EmbeddingComparison embeddings) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (evaluation != null && evaluation.classification() != null) {
      Evaluation.Classification c = evaluation.classification();
      put(m, "accuracy", c.accuracy());
      put(m, "precision_macro", c.precisionMacro());
      put(m, "recall_macro", c.recallMacro());
      put(m, "f1_macro", c.f1Macro());
      put(m, "roc_auc", c.rocAuc());
      put(m, "log_loss", c.logLoss());
    }
    if (evaluation != null && evaluation.regression() != null) {
      Evaluation.Regression r = evaluation.regression();
      put(m, "rmse", r.rmse());
      put(m, "mae", r.mae());
      put(m, "r2", r.r2());
    }
    if (evaluation != null && evaluation.multilabel() != null) {
      Evaluation.Multilabel l = evaluation.multilabel();
      put(m, "f1_macro", l.f1Macro());
      put(m, "f1_micro", l.f1Micro());
      put(m, "hamming_loss", l.hammingLoss());
      put(m, "subset_accuracy", l.subsetAccuracy());
    }
    if (evaluation != null && evaluation.multiTarget() != null) {
      Evaluation.MultiTarget t = evaluation.multiTarget();
      put(m, "rmse_mean", t.rmseMean());
      put(m, "mae_mean", t.maeMean());
      put(m, "r2_mean", t.r2Mean());
    }
    if (embeddings != null) {
      if (embeddings.cosine() != null) {
        put(m, "embedding_cosine_mean", embeddings.cosine().mean());
        put(m, "embedding_cosine_p1", embeddings.cosine().p1());
        put(m, "embedding_cosine_p5", embeddings.cosine().p5());
      }
      put(m, "embedding_nn_overlap", embeddings.neighbourOverlap());
    }
    put(m, "psi_vs_baseline", psiVsBaseline);
    put(m, "psi_vs_reference", psiVsReference);
    put(m, "agreement_with_baseline", agreementWithBaseline);
    if (run != null) {
      put(m, "rows_per_s", run.rowsPerSecond());
      if (run.batches() != null) {
        put(m, "engine_rows_per_s", run.batches().engineRowsPerSecond());
        put(m, "batch_p50_ms", run.batches().p50Millis());
        put(m, "batch_p95_ms", run.batches().p95Millis());
        put(m, "batch_p99_ms", run.batches().p99Millis());
      }
      if (run.model() != null) {
        put(m, "model_raw_bytes", (double) run.model().rawBytes());
        put(m, "model_shipped_bytes", (double) run.model().shippedBytes());
      }
      if (run.rowsIn() != null && run.rowsIn() > 0 && run.quarantined() != null) {
        long invalid = run.quarantined() + (run.skipped() == null ? 0 : run.skipped());
        put(m, "invalid_fraction", invalid / (double) run.rowsIn());
      }
    }
    return m;
  }

  /** {@code version}'s metrics with {@code name_delta} added for each metric the baseline has. */
  public static Map<String, Double> withDeltas(
      Map<String, Double> version, Map<String, Double> baseline) {
    Map<String, Double> out = new LinkedHashMap<>(version);
    for (Map.Entry<String, Double> e : version.entrySet()) {
      Double b = baseline.get(e.getKey());
      if (b != null) {
        out.put(e.getKey() + "_delta", e.getValue() - b);
      }
    }
    return out;
  }

  private static void put(Map<String, Double> m, String name, Double v) {
    if (v != null && !v.isNaN() && !v.isInfinite()) {
      m.put(name, v);
    }
  }
}
