package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.ModelRegistration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged cluster jar under Spark's own {@code SparkSubmit}, in a separate JVM whose classpath
 * holds only what a cluster provides (Spark, Delta and their dependencies): everything else the job
 * needs (ONNX Runtime, Tribuo, picocli, YAML) must come from the jar.
 */
class ClusterJarSubmitIT {
  @TempDir Path dir;

  SparkSubmitProcess.Result submit(String... appArgs) throws IOException, InterruptedException {
    return SparkSubmitProcess.submit(dir, List.of("--master", "local[2]"), List.of(appArgs));
  }

  @Test
  void theClusterJarRunsTheDemoAndKeepsExitCodesUnderSparkSubmit() throws Exception {
    String classpath = Files.readString(Path.of(System.getProperty("inferlake.clusterClasspath")));
    // the line under test: Scala 2.12 for Spark 3.5, 2.13 for Spark 4 (-Pspark4)
    String scala = System.getProperty("inferlake.spark", "3.5").equals("4") ? "2.13" : "2.12";
    assertTrue(
        classpath.contains("spark-core_" + scala) && classpath.contains("delta-spark_" + scala),
        classpath);
    assertTrue(
        !classpath.contains("onnxruntime") && !classpath.contains("tribuo"),
        "the stand-in cluster classpath must not carry what the jar should bring");

    SparkSubmitProcess.Result demo =
        submit(
            "demo",
            "--rows",
            "3000",
            "--train-rows",
            "1000",
            "--no-baseline",
            "--dir",
            dir.resolve("lake").toString());
    assertEquals(0, demo.exit(), demo.output());
    assertTrue(demo.output().contains("3,000 rows x 2 model version(s)"), demo.output());
    // With the JSON log configuration, the run's summary log line is one JSON object.
    String summary =
        demo.output().lines().filter(l -> l.contains("status=succeeded")).findFirst().orElseThrow();
    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary);
    assertEquals("INFO", node.get("level").asText());
    assertEquals("dev.inferlake.driver.ScoringJob", node.get("loggerName").asText());
    assertTrue(
        node.get("message")
            .asText()
            .matches("run=\\S+ ds=\\S+ status=succeeded .* rows=3000 versions=2 .*"),
        summary);

    // Tink and the ONNX protobuf classes run relocated inside the jar.
    String key = dir.resolve("enc.json").toString();
    String registry = dir.resolve("registry").toString();
    assertEquals(0, submit("model", "keygen", "--type", "encryption", "--out", key).exit());
    SparkSubmitProcess.Result reg =
        submit(
            ModelRegistration.of(
                    registry, "demo", "fm-1", dir.resolve("lake/models/demo-fm-1.onnx"))
                .encryptedWith(key)
                .args());
    assertEquals(0, reg.exit(), reg.output());
    SparkSubmitProcess.Result inspect =
        submit("model", "--registry", registry, "inspect", "demo:fm-1", "--key-file", key);
    assertEquals(0, inspect.exit(), inspect.output());
    assertTrue(inspect.output().contains("encryption aes256-gcm"), inspect.output());
    assertTrue(inspect.output().contains("Gemm="), inspect.output());

    SparkSubmitProcess.Result bad =
        submit("run", "--job", dir.resolve("lake/job.yaml").toString(), "--set", "batch_size=0");
    assertEquals(2, bad.exit(), bad.output());
    assertTrue(bad.output().contains("inferlake: job spec: 'batch_size' is '0'"), bad.output());
  }
}
