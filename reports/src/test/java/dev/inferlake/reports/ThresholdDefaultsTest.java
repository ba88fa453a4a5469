package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default thresholds judge a version comparison: quality against the baseline, drift. */
class ThresholdDefaultsTest {

  private static List<Thresholds.Outcome> outcomes(Map<String, Double> metrics) {
    return Thresholds.check(Thresholds.DEFAULTS, metrics).stream()
        .map(Thresholds.Check::outcome)
        .toList();
  }

  @Test
  void aBetterModelThatScoresDifferentlyFromTheBaselinePasses() {
    // the demo's case: v2 is more accurate, so its scores differ from v1's (PSI far over 0.25)
    List<Thresholds.Outcome> better =
        outcomes(
            Map.of(
                "psi_vs_baseline", 0.9,
                "accuracy_delta", 0.04,
                "roc_auc_delta", 0.03));
    assertTrue(better.stream().noneMatch(o -> o == Thresholds.Outcome.FAIL), better.toString());
  }

  @Test
  void driftAgainstTheReferenceAndLostQualityStillFail() {
    assertTrue(
        outcomes(Map.of("psi_vs_reference", 0.4, "accuracy_delta", 0.0))
            .contains(Thresholds.Outcome.FAIL));
    assertTrue(
        outcomes(Map.of("psi_vs_reference", 0.01, "accuracy_delta", -0.02))
            .contains(Thresholds.Outcome.FAIL));
    assertTrue(outcomes(Map.of("r2_delta", -0.05)).contains(Thresholds.Outcome.FAIL));
  }

  @Test
  void psiAgainstTheBaselineStaysAvailableAsARule() {
    List<Thresholds.Check> checks =
        Thresholds.check(
            List.of(Thresholds.parse("psi_vs_baseline<=0.25")), Map.of("psi_vs_baseline", 0.9));
    assertEquals(Thresholds.Outcome.FAIL, checks.get(0).outcome());
  }
}
