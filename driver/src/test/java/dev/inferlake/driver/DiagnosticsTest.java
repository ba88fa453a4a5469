package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.job.JobSpecLoader;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors that say what is wrong where (issue 23, item 3); none of these needs Spark. */
class DiagnosticsTest {
  @TempDir Path dir;

  Path spec() {
    return JobSpecBuilder.create()
        .input("/data/in")
        .key("id")
        .features("input", "a", "b")
        .model("m", "v1", Path.of("/models/m.onnx"))
        .output("/lake/out")
        .writeTo(dir.resolve("job.yaml"));
  }

  @Test
  void aMistypedSetKeyNamesSetNotTheSpecFile() {
    Path file = spec();
    InferlakeException e =
        assertThrows(
            InferlakeException.class,
            () -> JobSpecLoader.load(file, List.of("outptu.table=/lake/x")));
    assertEquals(ErrorKind.USAGE, e.kind());
    assertTrue(e.getMessage().startsWith("--set outptu.table=/lake/x: "), e.getMessage());
    assertTrue(e.getMessage().contains("'outptu'"), e.getMessage());
    assertFalse(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void aDayThatDoesNotExistIsSaidSo() {
    Cli r = Cli.run("run", "--job", spec().toString(), "--ds", "2026-02-30");
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(
        "inferlake: --ds '2026-02-30' is not a day of the calendar (February 2026 has 28 days)",
        r.errorLine());
  }
}
