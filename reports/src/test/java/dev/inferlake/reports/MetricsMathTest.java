package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arithmetic behind the report, on hand-made counts: AUC bins, PSI, thresholds. */
class MetricsMathTest {

  @Test
  void rocAucOverBinsIsTheShareOfCorrectlyOrderedPairs() {
    // Bins from low to high score: negatives mostly low, positives mostly high.
    long[] pos = {0, 1, 0, 2, 3};
    long[] neg = {4, 1, 2, 0, 0};
    // Pairs by brute force: each positive against each negative, 1 above, 0.5 same bin.
    double won = 0;
    for (int p = 0; p < pos.length; p++) {
      for (int n = 0; n < neg.length; n++) {
        double each = p > n ? 1 : p == n ? 0.5 : 0;
        won += each * pos[p] * neg[n];
      }
    }
    double expected = won / (6.0 * 7.0);
    assertEquals(expected, new Evaluation.ScoreBins(pos, neg).rocAuc(), 1e-12);
    // Everything in one bin: a coin toss. One side missing: undefined.
    assertEquals(0.5, new Evaluation.ScoreBins(new long[] {3}, new long[] {5}).rocAuc(), 1e-12);
    assertNull(new Evaluation.ScoreBins(new long[] {3, 1}, new long[] {0, 0}).rocAuc());
  }

  @Test
  void psiFollowsItsDefinitionAndFloorsEmptyBins() {
    long[] e = {50, 30, 20};
    long[] a = {20, 30, 50};
    double expected = (0.2 - 0.5) * Math.log(0.2 / 0.5) + 0 + (0.5 - 0.2) * Math.log(0.5 / 0.2);
    assertEquals(expected, Psi.of(e, a), 1e-12);
    assertEquals(0.0, Psi.of(e, new long[] {500, 300, 200}), 1e-12);
    double withEmpty = Psi.of(new long[] {10, 0}, new long[] {5, 5});
    assertEquals(
        (0.5 - 1.0) * Math.log(0.5 / 1.0) + (0.5 - Psi.FLOOR) * Math.log(0.5 / Psi.FLOOR),
        withEmpty,
        1e-12);
    assertTrue(Double.isNaN(Psi.of(new long[] {0, 0}, new long[] {1, 1})));
    assertThrows(IllegalArgumentException.class, () -> Psi.of(new long[2], new long[3]));
  }

  @Test
  void thresholdsParseCheckAndExplainMistakes() {
    Thresholds.Rule r = Thresholds.parse(" accuracy_delta >= -0.01 ");
    assertEquals(new Thresholds.Rule("accuracy_delta", ">=", -0.01), r);
    List<Thresholds.Check> checks =
        Thresholds.check(
            List.of(r, Thresholds.parse("psi_vs_baseline<0.2"), Thresholds.parse("rmse<=1")),
            Map.of("accuracy_delta", -0.02, "psi_vs_baseline", 0.1));
    assertEquals(Thresholds.Outcome.FAIL, checks.get(0).outcome());
    assertEquals(-0.02, checks.get(0).value());
    assertEquals(Thresholds.Outcome.PASS, checks.get(1).outcome());
    assertEquals(Thresholds.Outcome.NOT_APPLICABLE, checks.get(2).outcome());

    InferlakeException bad =
        assertThrows(InferlakeException.class, () -> Thresholds.parse("psi <= 0.2"));
    assertEquals(ErrorKind.USAGE, bad.kind());
    assertTrue(bad.getMessage().contains("unknown metric 'psi'"), bad.getMessage());
    assertTrue(bad.getMessage().contains("psi_vs_baseline"), bad.getMessage());
    InferlakeException form =
        assertThrows(InferlakeException.class, () -> Thresholds.parse("accuracy = 1"));
    assertEquals(ErrorKind.USAGE, form.kind());
    assertTrue(form.getMessage().contains("is not of the form metric<=value"), form.getMessage());
  }

  @Test
  void deltasAreTakenAgainstTheBaselinesMetrics() {
    Map<String, Double> d =
        ReportMetrics.withDeltas(Map.of("accuracy", 0.9, "rmse", 2.0), Map.of("accuracy", 0.8));
    assertEquals(0.9 - 0.8, d.get("accuracy_delta"), 1e-12);
    assertNull(d.get("rmse_delta"));
  }
}
