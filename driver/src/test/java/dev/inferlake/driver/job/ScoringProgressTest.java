package dev.inferlake.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The progress line (issue 23, item 3): never "about unknown left". */
class ScoringProgressTest {
  @Test
  void beforeTheFirstTaskEndsTheLineSaysWhenTheTimeLeftIsKnown() {
    assertEquals(
        "scoring: 0/8 tasks, 0 input rows, 0 rows/s, time left known when the first task ends\n",
        ScoringProgress.line(0, 8, 0, 2.0));
  }

  @Test
  void afterwardsItIsTheTimeLeftAtTheRateSoFar() {
    assertEquals(
        "scoring: 2/8 tasks, 50,000 input rows, 5,000 rows/s, about 30 s left\n",
        ScoringProgress.line(2, 8, 50_000, 10.0));
  }
}
