package dev.inferlake.driver.compat;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import org.junit.jupiter.api.Test;

/** Runs on both lines (default build and {@code -Pspark4}); each checks its own side. */
class SparkLineTest {
  private static final boolean SPARK4 = SparkLine.line().equals("spark4");

  @Test
  void theRunningSparkIsTheLineThisBuildIsFor() {
    String running = SparkLine.runningSparkVersion();
    assertTrue(running.startsWith(SPARK4 ? "4." : "3.5."), running);
    assertDoesNotThrow(SparkLine::requireRunningSpark);
  }

  @Test
  void theOtherLinesSparkFailsAtStartNamingTheJarToUse() {
    String other = SPARK4 ? "3.5.9" : "4.2.0";
    InferlakeException e =
        assertThrows(InferlakeException.class, () -> SparkLine.requireSpark(other));
    assertEquals(ErrorKind.USAGE, e.kind());
    String msg = e.getMessage();
    assertTrue(msg.contains("but Spark " + other + " runs here"), msg);
    assertTrue(msg.contains(SPARK4 ? "-spark4-cluster.jar)" : "-spark35-cluster.jar)"), msg);
    assertTrue(
        msg.contains(SPARK4 ? "use the -spark35-cluster.jar" : "use the -spark4-cluster.jar"), msg);
    assertEquals(!SPARK4, msg.contains("-Pspark4"), msg);
  }

  @Test
  void otherReleasesOfTheSameLineRunAndOlderLinesDoNot() {
    assertDoesNotThrow(() -> SparkLine.requireSpark(SPARK4 ? "4.0.1" : "3.5.2"));
    assertThrows(InferlakeException.class, () -> SparkLine.requireSpark("3.4.1"));
    assertDoesNotThrow(() -> SparkLine.requireSpark("unknown"));
  }
}
