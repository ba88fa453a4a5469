package dev.inferlake.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.driver.testing.Cli;
import dev.inferlake.driver.testing.JobSpecBuilder;
import dev.inferlake.model.ElementType;
import dev.inferlake.model.testing.TypedModels;
import dev.inferlake.reports.testing.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recommendation-style model (an int64 id looked up in an embedding table, plus float features)
 * registered with its vocabulary size and scored by real jobs: the bad rows of the new element
 * types, each quarantined with its reason and counted exactly, or failing the run with one line.
 */
class TypedInputsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int VOCAB = 10;
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("item", DataTypes.LongType, true)
          .add("item_d", DataTypes.DoubleType, true)
          .add("a", DataTypes.LongType, true)
          .add("b", DataTypes.DoubleType, true);

  static final TypedModels.EmbeddingModel V1 = TypedModels.embedding(VOCAB, 2, 41);
  static final TypedModels.EmbeddingModel V2 = TypedModels.embedding(VOCAB, 2, 42);

  @TempDir static Path dir;
  static SparkSession spark;
  static String registry;

  static void ok(String... args) {
    Cli r = Cli.run(args);
    assertEquals(0, r.exitCode(), r.err());
  }

  /** Row {@code i}: item {@code i % 10}, the same as a double, a = i % 5, b = i / 100. */
  static Object[] clean(long i) {
    return new Object[] {i, i % VOCAB, (double) (i % VOCAB), i % 5, i * 0.01};
  }

  /** Writes {@code n} clean rows, edited by {@code plant}, as one Parquet file. */
  static Path input(String name, int n, Consumer<List<Object[]>> plant) {
    List<Object[]> values = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      values.add(clean(i));
    }
    plant.accept(values);
    List<Row> rows = values.stream().map(RowFactory::create).toList();
    Path path = dir.resolve(name);
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().parquet(path.toString());
    return path;
  }

  static void register(String version, TypedModels.EmbeddingModel m) {
    Path file = m.writeTo(dir, "rec-" + version + ".onnx");
    ok(
        "model",
        "--registry",
        registry,
        "register",
        "--name",
        "rec",
        "--version",
        version,
        "--vocab-size",
        "ids=" + VOCAB,
        file.toString());
  }

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    registry = dir.resolve("registry").toString();
    register("v1", V1);
    register("v2", V2);
  }

  /** v1 reads its ids from the bigint column, v2 from the double one; both take x = [a, b]. */
  static JobSpecBuilder job(Path in, String table) {
    return JobSpecBuilder.create()
        .input(in)
        .key("id")
        .features("x", "a", "b")
        .model(JobSpecBuilder.Model.of("rec", "v1").features("ids", "item"))
        .model(JobSpecBuilder.Model.of("rec", "v2").features("ids", "item_d"))
        .registry(registry)
        .output(table);
  }

  static List<String> quarantine(String table, String version) {
    return spark
        .read()
        .format("delta")
        .load(table)
        .where("model_version = '" + version + "'")
        .orderBy("id")
        .collectAsList()
        .stream()
        .map(
            r ->
                r.getAs("id")
                    + " "
                    + r.getAs("reason")
                    + " "
                    + r.getAs("column")
                    + " "
                    + r.getAs("value"))
        .toList();
  }

  @Test
  void badRowsOfEveryKindAreQuarantinedWithTheirReasonAndCountedExactly() throws Exception {
    Path in =
        input(
            "planted",
            300,
            rows -> {
              rows.get(50)[3] = (1L << 24) + 1; // an int64 beyond float32's exact integers
              rows.get(60)[1] = (long) VOCAB; // an id outside the vocabulary
              rows.get(70)[1] = null; // null in an int column
              rows.get(80)[2] = 2.5; // a fraction into the int64 input
              rows.get(90)[2] = 1e3; // a whole double, outside the vocabulary
              rows.get(95)[1] = 12_345_678_901L; // far outside it
            });
    String table = dir.resolve("q-out").toString();
    Path spec =
        job(in, table)
            .onInvalid(dev.inferlake.executors.OnInvalid.QUARANTINE)
            .writeTo(dir.resolve("q.yaml"));
    Cli r = Cli.run("run", "--job", spec.toString(), "--ds", "2026-12-01");
    assertEquals(0, r.exitCode(), r.err());

    String beyond = "16777217 (beyond ±2^24, float32 does not hold every integer)";
    String vocab = " (outside the vocabulary, 0 to 9)";
    assertEquals(
        List.of(
            "50 not_exact a " + beyond,
            "60 out_of_range item 10" + vocab,
            "70 null_value item null",
            "95 out_of_range item 12345678901" + vocab),
        quarantine(table + "_quarantine", "v1"));
    assertEquals(
        List.of(
            "50 not_exact a " + beyond,
            "80 not_exact item_d 2.5 (not a whole number; int64 holds integers only)",
            "90 out_of_range item_d 1000.0" + vocab),
        quarantine(table + "_quarantine", "v2"));

    JsonNode info =
        JSON.readTree(
            DeltaTable.forPath(spark, table).history(1).select("userMetadata").head().getString(0));
    assertEquals(300, info.get("rows_in").asLong());
    assertEquals(4, info.get("invalid").get("rec:v1").asLong());
    assertEquals(3, info.get("invalid").get("rec:v2").asLong());

    List<Row> predicted =
        spark.read().format("delta").load(table).orderBy("model_version", "id").collectAsList();
    assertEquals(296 + 297, predicted.size(), "every other row predicted once by each version");
    // row 13 by v2: item_d 3.0 reaches the lookup as id 3, x = [3, 0.13]
    Row row13 =
        spark.read().format("delta").load(table).where("id = 13 and model_version = 'v2'").head();
    float[] x = {3f, 0.13f};
    double[] want = V2.expected(3, x);
    List<Float> probs = row13.getList(row13.fieldIndex("probabilities"));
    assertArrayEquals(
        new double[] {want[0], want[1]}, new double[] {probs.get(0), probs.get(1)}, 1e-6);
    Row row13v1 =
        spark.read().format("delta").load(table).where("id = 13 and model_version = 'v1'").head();
    List<Float> probs1 = row13v1.getList(row13v1.fieldIndex("probabilities"));
    assertEquals(V1.expected(3, x)[1], probs1.get(1), 1e-6);
  }

  /** Runs the job over {@code in} with the default on_invalid (fail) and returns its error line. */
  static String failing(Path in, String table) {
    Path spec = job(in, table).writeTo(dir.resolve(in.getFileName() + ".yaml"));
    Cli r = Cli.run("run", "--job", spec.toString(), "--ds", "2026-12-01");
    assertEquals(3, r.exitCode(), r.err());
    assertFalse(
        DeltaTable.isDeltaTable(spark, table),
        "a run that fails before its first commit leaves no table");
    return r.errorLine();
  }

  @Test
  void underFailEachKindOfBadRowStopsTheRunWithOneLine() {
    String v1 = "input 'ids' of model 'rec:v1' (int64[-1, 1])";
    assertEquals(
        "inferlake: column 'a' holds 16777217 (beyond ±2^24, float32 does not hold every integer)"
            + " at row id=7 (feeding input 'x' of model 'rec:v1' (float[-1, 2])); inferlake never"
            + " rounds a value into a model's type; cast the column if rounding is what you want",
        failing(input("precision", 20, rows -> rows.get(7)[3] = (1L << 24) + 1), dir + "/f1"));
    assertEquals(
        "inferlake: column 'item_d' holds 2.5 (not a whole number; int64 holds integers only) at"
            + " row id=7 (feeding input 'ids' of model 'rec:v2' (int64[-1, 1])); inferlake never"
            + " rounds a value into a model's type; cast the column if rounding is what you want",
        failing(input("fraction", 20, rows -> rows.get(7)[2] = 2.5), dir + "/f2"));
    assertEquals(
        "inferlake: column 'item' holds 10 (outside the vocabulary, 0 to 9) at row id=7 (feeding "
            + v1
            + "); the input takes values within its type's range and declared vocabulary only",
        failing(input("vocab", 20, rows -> rows.get(7)[1] = 10L), dir + "/f3"));
    assertEquals(
        "inferlake: column 'item' is null at row id=7 (feeding " + v1 + ")",
        failing(input("null", 20, rows -> rows.get(7)[1] = null), dir + "/f4"));
  }

  @Test
  void aVocabularyIsDeclaredOnlyForAnIntegerInputOfTheModel() {
    Path file = V1.writeTo(dir, "rec-bad.onnx");
    Cli floats =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "rec",
            "--version",
            "bad",
            "--vocab-size",
            "x=3",
            file.toString());
    assertEquals(2, floats.exitCode(), floats.err());
    assertEquals(
        "inferlake: vocabulary size for input 'x' of model 'rec:bad' (float[-1, 2]): only integer"
            + " inputs (int64, int32, int8, uint8) hold ids",
        floats.errorLine());
    Cli unknown =
        Cli.run(
            "model",
            "--registry",
            registry,
            "register",
            "--name",
            "rec",
            "--version",
            "bad",
            "--vocab-size",
            "idz=3",
            file.toString());
    assertEquals(2, unknown.exitCode(), unknown.err());
    assertEquals(
        "inferlake: vocabulary size for 'idz': model 'rec:bad' has no such input; its inputs are"
            + " [ids, x]",
        unknown.errorLine());
    assertFalse(
        Files.exists(Path.of(registry, "rec", "bad")), "a refused registration writes nothing");
  }

  @Test
  void theRegistryShowsADeclaredVocabulary() {
    Cli r = Cli.run("model", "--registry", registry, "inspect", "rec:v1");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("input      ids int64[-1, 1] vocabulary 10\n"), r.out());
    assertTrue(r.out().contains("input      x float[-1, 2]\n"), r.out());

    Cli fp16 =
        Cli.run(
            "model",
            "--registry",
            registry,
            "compress",
            "--from",
            "rec:v1",
            "--to",
            "v1-fp16",
            "--method",
            "fp16");
    assertEquals(0, fp16.exitCode(), fp16.err());
    Cli compressed = Cli.run("model", "--registry", registry, "inspect", "rec:v1-fp16");
    assertTrue(
        compressed.out().contains("input      ids int64[-1, 1] vocabulary 10\n"),
        "a compressed version takes the same ids: " + compressed.out());
  }

  @Test
  void aJobDeclaresTheVocabularyOfAModelReadFromAFile() {
    Path file = V1.writeTo(dir, "rec-file.onnx");
    Path in = input("file-in", 30, rows -> rows.get(12)[1] = 10L);
    String table = dir.resolve("file-out").toString();
    JobSpecBuilder job =
        JobSpecBuilder.create()
            .input(in)
            .key("id")
            .features("ids", "item")
            .features("x", "a", "b")
            .model(JobSpecBuilder.Model.of("rec", "f1").path(file).vocabSize("ids", VOCAB))
            .onInvalid(dev.inferlake.executors.OnInvalid.QUARANTINE)
            .output(table);
    Cli r = Cli.run("run", "--job", job.writeTo(dir.resolve("file.yaml")).toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(
        List.of("12 out_of_range item 10 (outside the vocabulary, 0 to 9)"),
        quarantine(table + "_quarantine", "f1"));
    assertEquals(29, spark.read().format("delta").load(table).count());

    JobSpecBuilder floats = job.copy();
    floats.model(JobSpecBuilder.Model.of("rec", "f2").path(file).vocabSize("x", 3));
    Cli bad = Cli.run("run", "--job", floats.writeTo(dir.resolve("file-bad.yaml")).toString());
    assertEquals(2, bad.exitCode(), bad.err());
    assertEquals(
        "inferlake: vocabulary size for input 'x' of model 'rec:f2' (float[-1, 2]): only integer"
            + " inputs (int64, int32, int8, uint8) hold ids",
        bad.errorLine());
  }

  @Test
  void aStringInputIsRefusedBeforeScoringWithExit4() throws Exception {
    Path model = dir.resolve("text.onnx");
    Files.write(model, TypedModels.castToFloat(ElementType.STRING, 2));
    Path spec =
        JobSpecBuilder.create()
            .input(input("text-in", 5, rows -> {}))
            .key("id")
            .features("x", "a", "b")
            .model("text", "v1", model)
            .output(dir.resolve("text-out"))
            .writeTo(dir.resolve("text.yaml"));
    Cli r = Cli.run("run", "--job", spec.toString(), "--ds", "2026-12-01");
    assertEquals(4, r.exitCode(), r.err());
    assertEquals(
        "inferlake: input 'x' of model 'text:v1' (string[-1, 2]) is a string tensor, which"
            + " inferlake does not feed: export the model to take int64 token ids and register its"
            + " tokenizer.json with it (model register --tokenizer), then map the string column as"
            + " features.text; it feeds float, double, int64, int32, int8, uint8 and bool inputs",
        r.errorLine());
  }
}
