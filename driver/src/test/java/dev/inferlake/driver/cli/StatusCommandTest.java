package dev.inferlake.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.driver.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --status-file} and {@code inferlake status}, without Spark: failures before any run. */
class StatusCommandTest {
  @TempDir Path dir;

  @Test
  void aUsageErrorIsRecordedAndStatusExitsWithItsCode() throws Exception {
    Path status = dir.resolve("s/status.json");
    Cli run =
        Cli.run(
            "run",
            "--job",
            dir.resolve("none.yaml").toString(),
            "--status-file",
            status.toString());
    assertEquals(2, run.exitCode(), run.err());
    JsonNode n = new ObjectMapper().readTree(Files.readString(status));
    assertEquals("finished", n.get("state").asText());
    assertEquals(2, n.get("exit_code").asInt());
    assertEquals("USAGE", n.get("kind").asText());
    assertEquals("run", n.get("command").asText());
    assertEquals(
        "job spec " + dir.resolve("none.yaml") + " cannot be read: no such file",
        n.get("message").asText());

    Cli check = Cli.run("status", status.toString());
    assertEquals(2, check.exitCode());
    assertTrue(
        check.err().startsWith("inferlake: 'run' failed with exit 2 at ")
            && check
                .err()
                .strip()
                .endsWith(
                    ": job spec " + dir.resolve("none.yaml") + " cannot be read: no such file"),
        check.err());
  }

  @Test
  void aMistypedOptionIsRecordedToo() throws Exception {
    Path status = dir.resolve("status.json");
    Cli run = Cli.run("run", "--jbo", "x.yaml", "--status-file", status.toString());
    assertEquals(2, run.exitCode());
    assertEquals(2, Cli.run("status", status.toString()).exitCode());
  }

  @Test
  void aRunThatNeverFinishedIsExitFiveAfterTheWait() throws Exception {
    Path status = dir.resolve("status.json");
    Files.writeString(
        status,
        "{\"format\":1,\"command\":\"run\",\"state\":\"running\","
            + "\"started_at\":\"2026-11-23T03:00:00Z\",\"host\":\"node-7\"}");
    long t0 = System.nanoTime();
    Cli check = Cli.run("status", status.toString(), "--wait", "1");
    assertTrue(System.nanoTime() - t0 >= 900_000_000L, "it waited");
    assertEquals(5, check.exitCode());
    assertTrue(
        check
            .errorLine()
            .startsWith(
                "inferlake: 'run' started at 2026-11-23T03:00:00Z on node-7 and has not finished"),
        check.err());
  }

  @Test
  void aFileThatIsNotAStatusIsExitFiveNamingIt() throws Exception {
    Path status = dir.resolve("status.json");
    Files.writeString(status, "{\"hello\": 1}");
    Cli check = Cli.run("status", status.toString());
    assertEquals(5, check.exitCode());
    assertTrue(check.errorLine().contains("is not an inferlake status file"), check.err());
    assertEquals(5, Cli.run("status", dir.resolve("none.json").toString()).exitCode());
  }

  @Test
  void anUnwritableStatusFileStopsTheCommandBeforeItRuns() throws Exception {
    Files.writeString(dir.resolve("file"), "x");
    Cli run =
        Cli.run(
            "run",
            "--job",
            dir.resolve("none.yaml").toString(),
            "--status-file",
            dir.resolve("file/status.json").toString());
    assertEquals(5, run.exitCode());
    assertTrue(run.errorLine().contains("the status file"), run.err());
    assertTrue(run.errorLine().contains("cannot be written"), run.err());
  }
}
