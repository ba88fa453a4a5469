package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.driver.testing.ModelRegistration;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.testing.TestModels;
import dev.inferlake.model.testing.TestModels.LinearModel;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models from a registry through real jobs: encrypted packages decrypted on executors, signatures
 * required and checked, and every integrity failure stopping the run before anything is written.
 */
class RegistryIT {
  static final int FEATURES = 4;
  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;
  static String table;
  static Path job;
  static LinearModel v1 = TestModels.linear(FEATURES, 3, 31);
  static LinearModel v2 = TestModels.linear(FEATURES, 3, 32);

  static void ok(String... args) {
    Cli r = Cli.run(args);
    assertEquals(0, r.exitCode(), r.err());
  }

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    registry = dir.resolve("registry").toString();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(RowFactory.create((long) i, i * 0.01, 1.0 - i * 0.02, Math.sin(i), 0.5));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType);
    for (String c : List.of("a", "b", "c", "d")) {
      schema = schema.add(c, DataTypes.DoubleType);
    }
    spark.createDataFrame(rows, schema).write().parquet(dir.resolve("in").toString());

    String keys = dir.resolve("keys").toString();
    Files.createDirectories(dir.resolve("keys"));
    ok("model", "keygen", "--type", "encryption", "--out", keys + "/enc.json");
    ok(
        "model",
        "keygen",
        "--type",
        "signing",
        "--out",
        keys + "/sign.json",
        "--public-out",
        keys + "/sign.pub.json");
    ok(
        "model",
        "keygen",
        "--type",
        "signing",
        "--out",
        keys + "/other.json",
        "--public-out",
        keys + "/other.pub.json");
    v1.writeTo(dir, "v1.onnx");
    v2.writeTo(dir, "v2.onnx");
    ok(
        ModelRegistration.of(registry, "m", "v1", dir.resolve("v1.onnx"))
            .encryptedWith(keys + "/enc.json")
            .signedWith(keys + "/sign.json")
            .args());
    ok(ModelRegistration.of(registry, "m", "v2", dir.resolve("v2.onnx")).derivedFrom("v1").args());
    ok("model", "--registry", registry, "sign", "--key", keys + "/sign.json", "m:v2");

    table = dir.resolve("out").toString();
    job =
        JobSpecBuilder.create()
            .input(dir.resolve("in"))
            .key("id")
            .features("input", "a", "b", "c", "d")
            .model("m", "v1")
            .model("m", "v2")
            .registry(registry)
            .decryptionKeyFile(keys + "/enc.json")
            .requireSignature(true)
            .trustedKeys(keys + "/sign.pub.json")
            .output(table)
            .writeTo(dir.resolve("job.yaml"));
    ok("run", "--job", job.toString(), "--ds", "2026-07-01");
  }

  /**
   * Copies the registry's version folder to a new version name with edits, for tampering.
   *
   * @param fixDigest also rewrite the manifest's payload digest to match the altered payload, as an
   *     attacker with write access to the registry would
   */
  static void copyVersion(
      String from,
      String to,
      java.util.function.UnaryOperator<String> manifest,
      boolean flipPayloadByte,
      boolean fixDigest)
      throws Exception {
    Path src = Path.of(registry, "m", from);
    Path dst = Files.createDirectories(Path.of(registry, "m", to));
    byte[] original = Files.readAllBytes(src.resolve("model.zst"));
    byte[] payload = original.clone();
    if (flipPayloadByte) {
      payload[payload.length / 2] ^= 0x10;
    }
    Files.write(dst.resolve("model.zst"), payload);
    String m = manifest.apply(Files.readString(src.resolve("manifest.json")));
    if (fixDigest) {
      m = m.replace(ModelDigest.sha256(original), ModelDigest.sha256(payload));
    }
    Files.writeString(dst.resolve("manifest.json"), m);
  }

  static Cli failing(int exit, String... sets) {
    DeltaState before = DeltaState.of(spark, table);
    List<String> args =
        new ArrayList<>(List.of("run", "--job", job.toString(), "--ds", "2026-07-02"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    Cli r = Cli.run(args.toArray(new String[0]));
    assertEquals(exit, r.exitCode(), r.err());
    assertEquals(
        before, DeltaState.of(spark, table), "a failed run must leave the table as it was");
    return r;
  }

  @Test
  void encryptedAndSignedVersionsScoreAndTheCommitNamesDigestsAndSigner() {
    assertEquals(1000, spark.read().format("delta").load(table).count());
    Row r =
        spark.read().format("delta").load(table).where("id = 7 AND model_version = 'v1'").head();
    float[] x = {0.07f, 1.0f - 0.14f, (float) Math.sin(7), 0.5f};
    assertEquals(
        v1.expected(x)[0],
        ((List<?>) r.getList(r.fieldIndex("probabilities"))).get(0) instanceof Float f ? f : -1f,
        1e-5);
    assertEquals(ModelDigest.sha256(v1.onnxBytes()), r.getString(r.fieldIndex("model_digest")));

    String meta =
        DeltaTable.forPath(spark, table).history(1).select("userMetadata").head().getString(0);
    assertTrue(meta.contains("\"digest\":\"" + ModelDigest.sha256(v2.onnxBytes()) + "\""), meta);
    assertTrue(meta.contains("\"encryption\":\"aes256-gcm\""), meta);
    assertTrue(meta.contains("\"signer\":\""), meta);

    Cli list = Cli.run("model", "--registry", registry, "list");
    assertTrue(list.out().contains("m:v1") && list.out().contains("aes256-gcm"), list.out());
    Cli inspect = Cli.run("model", "--registry", registry, "inspect", "m:v2");
    assertTrue(inspect.out().contains("lineage    v1"), inspect.out());
    assertTrue(inspect.out().contains("ops        {Gemm=1, Identity=1, Softmax=1}"), inspect.out());
  }

  @Test
  void anUnsignedModelIsRefusedWhenSignaturesAreRequired() throws Exception {
    ok(ModelRegistration.of(registry, "m", "unsigned", dir.resolve("v2.onnx")).args());
    Cli r = failing(4, "models.1.version=unsigned");
    assertEquals(
        "inferlake: model 'm:unsigned' is not signed, and the job requires signed models",
        r.errorLine());

    Path keys = dir.resolve("keys");
    ok(
        ModelRegistration.of(registry, "m", "stranger", dir.resolve("v2.onnx"))
            .signedWith(keys.resolve("other.json").toString())
            .args());
    assertTrue(
        failing(4, "models.1.version=stranger")
            .errorLine()
            .contains("which no trusted key verifies"));
  }

  @Test
  void trustedKeysMayBeHadoopUris() throws Exception {
    Path keys = dir.resolve("keys");
    // file: goes through Hadoop's FileSystem, as hdfs: and s3a: do
    ok(
        "run",
        "--job",
        job.toString(),
        "--ds",
        "2026-07-03",
        "--set",
        "security.trusted_keys=[" + keys.resolve("sign.pub.json").toUri() + "]");
    String missing = keys.resolve("none.pub.json").toUri().toString();
    assertEquals(
        "inferlake: key file " + missing + " cannot be read: no such file",
        failing(4, "security.trusted_keys=[" + missing + "]").errorLine());
  }

  @Test
  void aTamperedCiphertextOrAWrongKeyFailsBeforeAnythingIsWritten() throws Exception {
    copyVersion("v1", "stale", m -> m.replace("\"v1\"", "\"stale\""), true, false);
    Cli stale = failing(4, "models.1.version=stale", NO_SIGNATURES[0], NO_SIGNATURES[1]);
    assertTrue(
        stale
            .errorLine()
            .startsWith("inferlake: the package of model 'm:stale' does not match its manifest"),
        stale.errorLine());

    copyVersion("v1", "tampered", m -> m.replace("\"v1\"", "\"tampered\""), true, true);
    Cli t =
        failing(
            4,
            "models.1.version=tampered",
            "security.require_signature=false",
            "security.trusted_keys=[]");
    assertTrue(
        t.errorLine()
            .startsWith(
                "inferlake: model 'm:tampered' cannot be decrypted: wrong key, or the package was altered"),
        t.errorLine());

    Path wrong = dir.resolve("keys/wrong.json");
    ok("model", "keygen", "--type", "encryption", "--out", wrong.toString());
    Cli w = failing(4, "security.decryption_key_file=" + wrong);
    assertTrue(
        w.errorLine().startsWith("inferlake: model 'm:v1' cannot be decrypted"), w.errorLine());
  }

  @Test
  void aDigestMismatchNamesTheModelAndBothDigests() throws Exception {
    String real = ModelDigest.sha256(v2.onnxBytes());
    String claimed = "sha256:" + "ab".repeat(32);
    copyVersion(
        "v2", "lying", m -> m.replace("\"v2\"", "\"lying\"").replace(real, claimed), false, false);
    Cli r =
        failing(
            4,
            "models.1.version=lying",
            "security.require_signature=false",
            "security.trusted_keys=[]");
    assertEquals(
        "inferlake: model 'm:lying' bytes do not match their digest: expected "
            + claimed
            + ", got "
            + real,
        r.errorLine());
  }

  static final String NO_SIGNATURES[] = {
    "security.require_signature=false", "security.trusted_keys=[]"
  };

  @Test
  void storageShippingFetchesOnExecutorsAndRunsModelsWithExternalData() throws Exception {
    LinearModel ext = TestModels.linear(FEATURES, 3, 33);
    Path model = ext.writeWithExternalData(dir.resolve("ext"), "weights/w.bin");
    Cli reg = ModelRegistration.of(registry, "m", "ext", model).run();
    assertEquals(0, reg.exitCode(), reg.err());
    assertTrue(reg.out().contains("1 external data file(s)"), reg.out());

    // Broadcast cannot carry external data: a clear refusal, nothing written.
    Cli broadcast =
        failing(2, "models=[{name: m, version: ext}]", NO_SIGNATURES[0], NO_SIGNATURES[1]);
    assertTrue(broadcast.errorLine().contains("set 'shipping: storage'"), broadcast.errorLine());

    String out = dir.resolve("out-storage").toString();
    Cli run =
        Cli.run(
            "run",
            "--job",
            job.toString(),
            "--ds",
            "2026-07-03",
            "--set",
            "shipping=storage",
            "--set",
            "output.table=" + out,
            "--set",
            "models=[{name: m, version: v1}, {name: m, version: ext}]",
            "--set",
            NO_SIGNATURES[0],
            "--set",
            NO_SIGNATURES[1]);
    assertEquals(0, run.exitCode(), run.err());
    Row r =
        spark.read().format("delta").load(out).where("id = 11 AND model_version = 'ext'").head();
    float[] x = {0.11f, 1.0f - 0.22f, (float) Math.sin(11), 0.5f};
    List<Float> probs = r.getList(r.fieldIndex("probabilities"));
    for (int c = 0; c < 3; c++) {
      assertEquals(ext.expected(x)[c], probs.get(c), 1e-5);
    }
    // The encrypted version travelled the same way and was decrypted in memory.
    assertEquals(500, spark.read().format("delta").load(out).where("model_version = 'v1'").count());

    // A model given by path cannot be fetched by executors.
    assertTrue(
        failing(2, "shipping=storage", "models.0.path=" + dir.resolve("v1.onnx"))
            .errorLine()
            .contains("is given by path"));
  }

  @Test
  void storageShippingRefusesAnAlteredExternalDataFile() throws Exception {
    Path model =
        TestModels.linear(FEATURES, 3, 34).writeWithExternalData(dir.resolve("ext2"), "w.bin");
    Cli reg2 = ModelRegistration.of(registry, "m", "ext2", model).run();
    assertEquals(0, reg2.exitCode(), reg2.out());
    Path stored = Path.of(registry, "m", "ext2", "files", "w.bin.zst");
    byte[] raw =
        com.github.luben.zstd.Zstd.decompress(Files.readAllBytes(stored), FEATURES * 3 * 4);
    raw[0] ^= 1;
    String altered = dev.inferlake.model.ModelDigest.sha256(raw);
    Files.write(stored, com.github.luben.zstd.Zstd.compress(raw));
    // Hadoop's local file system would catch this by its .crc sidecar; object stores (s3a) keep
    // none, so drop it and let the manifest digest do the work.
    Files.deleteIfExists(stored.resolveSibling(".w.bin.zst.crc"));
    Cli r =
        failing(
            4,
            "shipping=storage",
            "models=[{name: m, version: ext2}]",
            NO_SIGNATURES[0],
            NO_SIGNATURES[1]);
    assertTrue(
        r.errorLine().contains("model 'm:ext2' file ")
            && r.errorLine().contains("w.bin.zst does not match its digest"),
        r.errorLine());
    assertTrue(
        r.errorLine().endsWith(", got " + altered), "the digest actually found: " + r.errorLine());
  }

  @Test
  void unsafeOrUnknownFilesAreRefusedAtRegistration() throws Exception {
    Path pickle =
        Files.write(dir.resolve("model.onnx"), new byte[] {(byte) 0x80, 3, ']', 'q', 0, '.'});
    Cli p = ModelRegistration.of(registry, "p", "v1", pickle).run();
    assertEquals(4, p.exitCode(), p.err());
    assertTrue(
        p.errorLine().contains("is refused: it is a Python pickle (protocol 3)"), p.errorLine());

    Path lost =
        TestModels.linear(FEATURES, 3, 35).writeWithExternalData(dir.resolve("lost"), "w.bin");
    Files.delete(dir.resolve("lost/w.bin"));
    Cli lostRun = ModelRegistration.of(registry, "lost", "v1", lost).run();
    assertEquals(4, lostRun.exitCode(), lostRun.err());
    assertTrue(
        lostRun.errorLine().startsWith("inferlake: model 'lost:v1' cannot be read from ")
            && lostRun.errorLine().endsWith("its external data file 'w.bin' is missing"),
        lostRun.errorLine());

    Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    Cli j = ModelRegistration.of(registry, "p", "v1", junk).run();
    assertEquals(4, j.exitCode());
    assertTrue(j.errorLine().contains("its format is unknown"), j.errorLine());
    assertTrue(
        Cli.run("model", "--registry", registry, "list")
            .out()
            .lines()
            .noneMatch(l -> l.startsWith("p:")));

    Cli missing = failing(4, "models.1.version=nope");
    assertTrue(
        missing.errorLine().startsWith("inferlake: model 'm:nope' is not in the registry"),
        missing.errorLine());
  }
}
