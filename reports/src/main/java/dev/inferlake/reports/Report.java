package dev.inferlake.reports;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A comparison of the model versions scored into one prediction table for one date: what the
 * renderers draw ({@link ReportWriter}). Plain data, built on the cluster by {@link ReportBuilder}.
 *
 * @param table the prediction table
 * @param tableVersion the Delta version read
 * @param ds the date compared
 * @param kind {@code classification}, {@code regression}, or {@code embedding} (no version wrote a
 *     prediction value; only embeddings)
 * @param baseline {@code name:version} the others are compared with
 * @param reference what {@code psi_vs_reference} compares with ({@code ds=...} or {@code run=...}),
 *     or null
 * @param versions one entry per version, the baseline first
 * @param histogramEdges the score histogram's bin edges (one more than the bins)
 * @param agreement {@code agreement[i][j]}: the share of keys scored by versions i and j on which
 *     they agree (same class; regressors: within {@code agreementTolerance})
 * @param agreementTolerance the largest difference regressors' predictions may have and agree
 * @param rules the thresholds applied
 * @param provenance where the report came from: generator, versions, time, tables
 * @param notes what the reader should know (missing runs table, no labels, ...)
 */
public record Report(
    String table,
    long tableVersion,
    LocalDate ds,
    String kind,
    String baseline,
    String reference,
    List<VersionReport> versions,
    double[] histogramEdges,
    double[][] agreement,
    double agreementTolerance,
    List<Thresholds.Rule> rules,
    Map<String, String> provenance,
    List<String> notes) {

  public Report {
    versions = List.copyOf(versions);
    rules = List.copyOf(rules);
    provenance = Map.copyOf(provenance);
    notes = List.copyOf(notes);
  }

  /** Whether every version passed every applicable threshold. */
  public boolean passed() {
    return versions.stream().allMatch(VersionReport::passed);
  }

  /**
   * One version in the report.
   *
   * @param name the model
   * @param version the version
   * @param digest sha256 of the model bytes
   * @param runId the run that wrote its predictions for the date
   * @param predictions its prediction rows for the date
   * @param run its runs-table row; null when the runs table has none
   * @param evaluation its accuracy; null without labels
   * @param histogram score counts per bin of {@link Report#histogramEdges}
   * @param psiEdges the baseline's score deciles, the PSI bins' inner edges
   * @param metrics every named metric it has, and its deltas against the baseline
   * @param checks the thresholds applied to it
   * @param embeddings its embeddings against the baseline's; null for the baseline, and when the
   *     table has no embeddings of both
   */
  public record VersionReport(
      String name,
      String version,
      String digest,
      String runId,
      long predictions,
      RunRecord run,
      Evaluation evaluation,
      long[] histogram,
      double[] psiEdges,
      Map<String, Double> metrics,
      List<Thresholds.Check> checks,
      EmbeddingComparison embeddings) {

    public VersionReport {
      metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
      checks = List.copyOf(checks);
    }

    public String label() {
      return name + ":" + version;
    }

    /** No applicable threshold failed. */
    public boolean passed() {
      return checks.stream().noneMatch(c -> c.outcome() == Thresholds.Outcome.FAIL);
    }

    /** A metric, or null. */
    public Double metric(String name) {
      return metrics.get(name);
    }
  }
}
