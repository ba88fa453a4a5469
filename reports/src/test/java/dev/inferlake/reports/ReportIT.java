package dev.inferlake.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A report built from real Delta tables (predictions, runs, labels), its figures checked against
 * the same figures computed here from the rows, and its HTML opened in a real headless Chromium.
 */
class ReportIT {
  static final LocalDate DS = LocalDate.parse("2026-03-02");
  static final LocalDate REF = LocalDate.parse("2026-03-01");
  static final int N = 2_000;
  static final Path OUT = Path.of("target", "report-it");
  static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("prediction", DataTypes.DoubleType)
          .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false))
          .add("model_name", DataTypes.StringType)
          .add("model_version", DataTypes.StringType)
          .add("model_digest", DataTypes.StringType)
          .add("run_id", DataTypes.StringType)
          .add("ds", DataTypes.DateType)
          .add("scored_at", DataTypes.TimestampType);

  /** P(class 1) per version and id, on DS. */
  static final Map<String, float[]> scores = new HashMap<>();

  static final int[] labels = new int[N];
  static final List<RunRecord> runs = new ArrayList<>();
  static String table;
  static Report report;
  static ReportWriter.Written written;

  @BeforeAll
  static void build() throws Exception {
    SparkSession spark = TestSpark.session();
    Files.createDirectories(OUT);
    table = OUT.resolve("predictions").toAbsolutePath().toString();
    deleteTree(OUT.resolve("predictions"));
    deleteTree(OUT.resolve("predictions_runs"));
    deleteTree(OUT.resolve("labels"));
    Random r = new Random(3);
    float[] a = new float[N];
    float[] b = new float[N];
    float[] aRef = new float[N];
    float[] bRef = new float[N];
    for (int i = 0; i < N; i++) {
      labels[i] = r.nextInt(2);
      a[i] = clamp((labels[i] == 1 ? 0.6 : 0.4) + r.nextGaussian() * 0.2);
      b[i] = clamp((labels[i] == 1 ? 0.8 : 0.3) + r.nextGaussian() * 0.15);
      aRef[i] = a[i]; // v1 scored the same on the reference date: no drift
      bRef[i] = clamp(b[i] - 0.3f); // v2 drifted since the reference date
    }
    scores.put("churn:v1", a);
    scores.put("churn:v2", b);
    List<Row> rows = new ArrayList<>();
    add(rows, "v1", a, DS, "run-ds");
    add(rows, "v2", b, DS, "run-ds");
    add(rows, "v1", aRef, REF, "run-ref");
    add(rows, "v2", bRef, REF, "run-ref");
    spark
        .createDataFrame(rows, SCHEMA)
        .write()
        .format("delta")
        .partitionBy("ds", "model_version")
        .save(table);
    List<Row> lrows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      lrows.add(RowFactory.create((long) i, labels[i]));
    }
    spark
        .createDataFrame(
            lrows, new StructType().add("id", DataTypes.LongType).add("y", DataTypes.IntegerType))
        .write()
        .parquet(OUT.resolve("labels").toString());
    Instant t = Instant.parse("2026-03-02T03:00:00Z");
    for (String v : List.of("v1", "v2")) {
      boolean one = v.equals("v1");
      // An older run makes v1 the incumbent, the default baseline.
      runs.add(run(table, "run-old", DS.minusDays(9), v, t.minusSeconds(one ? 900_000 : 100), 7.0));
      runs.add(run(table, "run-ds", DS, v, t, one ? 2.0 : 3.0));
    }
    RunsTable.append(spark, RunsTable.defaultPath(table), runs);
    report =
        new ReportBuilder(spark)
            .build(
                ReportRequest.of(table)
                    .withDs(DS)
                    .withReference(REF.toString())
                    .withLabels(
                        new ReportRequest.Labels(OUT.resolve("labels").toString(), null, "y"))
                    .withRules(
                        List.of(
                            Thresholds.parse("psi_vs_reference<=0.1"),
                            Thresholds.parse("accuracy_delta>=-0.01"),
                            Thresholds.parse("rmse<=1"))));
    written = ReportWriter.write(report, OUT.resolve("report"));
  }

  static float clamp(double x) {
    return (float) Math.min(1, Math.max(0, x));
  }

  static void add(List<Row> rows, String v, float[] s, LocalDate ds, String runId) {
    for (int i = 0; i < N; i++) {
      rows.add(
          RowFactory.create(
              (long) i,
              s[i] > 1 - s[i] ? 1.0 : 0.0,
              List.of(1 - s[i], s[i]),
              "churn",
              v,
              "sha256:" + v,
              runId,
              java.sql.Date.valueOf(ds),
              java.sql.Timestamp.from(Instant.parse(ds + "T03:00:00Z"))));
    }
  }

  static RunRecord run(
      String table, String runId, LocalDate ds, String v, Instant start, double p50) {
    return run(table, runId, ds, v, start, p50, 20);
  }

  static RunRecord run(
      String table, String runId, LocalDate ds, String v, Instant start, double p50, long batches) {
    return new RunRecord(
        runId,
        ds,
        table,
        4L,
        RunRecord.SUCCEEDED,
        null,
        start,
        start.plusSeconds(40),
        "churn",
        v,
        "sha256:" + v,
        (long) N,
        (long) N,
        0L,
        0L,
        40_000,
        61_000L,
        new RunRecord.Batches(batches, N, 250.0, p50, p50 * 2, p50 * 3, p50 * 5),
        new RunRecord.ModelCost(v.equals("v1") ? 12_000 : 30_000, 5_000, 2, "cpu"),
        "app-1",
        "tester",
        "/in",
        "test",
        null);
  }

  static double share(float[] s, double edge) {
    long n = 0;
    for (float x : s) {
      n += x <= edge ? 1 : 0;
    }
    return (double) n / s.length;
  }

  @Test
  void versionsRunsAndBaseline() {
    assertEquals("churn:v1", report.baseline(), "the version with the oldest run");
    assertEquals(
        List.of("churn:v1", "churn:v2"),
        report.versions().stream().map(Report.VersionReport::label).toList());
    assertEquals("classification", report.kind());
    assertEquals("ds=" + REF, report.reference());
    for (Report.VersionReport v : report.versions()) {
      assertEquals(N, v.predictions());
      assertEquals("run-ds", v.runId());
      RunRecord want =
          runs.stream()
              .filter(x -> x.runId().equals("run-ds") && x.modelVersion().equals(v.version()))
              .findFirst()
              .orElseThrow();
      assertEquals(want.batches(), v.run().batches(), "batches read back from the runs table");
      assertEquals(want.model(), v.run().model());
      assertEquals(want.startedAt(), v.run().startedAt());
      assertEquals(N * 1000.0 / 40_000, v.metric("rows_per_s"), 1e-9);
      assertEquals(N * 1000.0 / 250.0, v.metric("engine_rows_per_s"), 1e-9);
    }
    assertEquals(3.0 - 2.0, report.versions().get(1).metric("batch_p50_ms_delta"), 1e-12);
  }

  @Test
  void mistakesAreInferlakeExceptionsOfTheirKind() {
    ReportBuilder builder = new ReportBuilder(TestSpark.session());
    String labels = OUT.resolve("labels").toAbsolutePath().toString();
    InferlakeException notDelta =
        assertThrows(InferlakeException.class, () -> builder.build(ReportRequest.of(labels)));
    assertEquals(ErrorKind.INPUT, notDelta.kind());
    assertEquals(
        "report: no Delta table at " + labels + ": is it a prediction table?",
        notDelta.getMessage());

    InferlakeException noDate =
        assertThrows(
            InferlakeException.class,
            () -> builder.build(ReportRequest.of(table).withDs(DS.plusDays(1))));
    assertEquals(ErrorKind.USAGE, noDate.kind());
    assertEquals(
        "report: no predictions in " + table + " for ds=" + DS.plusDays(1), noDate.getMessage());

    InferlakeException baseline =
        assertThrows(
            InferlakeException.class,
            () -> builder.build(ReportRequest.of(table).withDs(DS).withBaseline("v9")));
    assertEquals(ErrorKind.USAGE, baseline.kind());
    assertEquals(
        "report: baseline 'v9' is not among the versions of this date: [churn:v1, churn:v2]",
        baseline.getMessage());
  }

  @Test
  void histogramsPsiAndAgreementMatchTheRows() {
    for (Report.VersionReport v : report.versions()) {
      float[] s = scores.get(v.label());
      long[] h = new long[20];
      for (float x : s) {
        h[Math.min(19, (int) Math.floor(x * 20.0))]++;
      }
      for (int i = 0; i < 20; i++) {
        assertEquals(h[i], v.histogram()[i], v.label() + " histogram bin " + i);
      }
    }
    // The PSI bins are the baseline's deciles (approximately), the same for every version.
    float[] base = scores.get("churn:v1");
    double[] edges = report.versions().get(0).psiEdges();
    assertEquals(9, edges.length);
    for (int i = 0; i < edges.length; i++) {
      double sh = share(base, edges[i]);
      assertTrue(Math.abs(sh - (i + 1) / 10.0) <= 0.01, "edge " + i + " holds " + sh);
    }
    long[] e = counts(base, edges);
    long[] a = counts(scores.get("churn:v2"), edges);
    double psi = 0;
    for (int i = 0; i < e.length; i++) {
      double pe = Math.max((double) e[i] / N, 1e-4);
      double pa = Math.max((double) a[i] / N, 1e-4);
      psi += (pa - pe) * Math.log(pa / pe);
    }
    assertEquals(psi, report.versions().get(1).metric("psi_vs_baseline"), 1e-12);
    assertEquals(0.0, report.versions().get(0).metric("psi_vs_baseline"), 1e-12);
    // Against the reference date: v1 scored the same then, v2 has drifted.
    assertEquals(0.0, report.versions().get(0).metric("psi_vs_reference"), 1e-12);
    assertTrue(report.versions().get(1).metric("psi_vs_reference") > 0.5);

    long agree = 0;
    float[] b = scores.get("churn:v2");
    for (int i = 0; i < N; i++) {
      agree += (base[i] > 1 - base[i]) == (b[i] > 1 - b[i]) ? 1 : 0;
    }
    assertEquals((double) agree / N, report.agreement()[0][1], 1e-12);
    assertEquals(report.agreement()[0][1], report.agreement()[1][0], 0);
    assertEquals(
        (double) agree / N, report.versions().get(1).metric("agreement_with_baseline"), 1e-12);
  }

  static long[] counts(float[] s, double[] edges) {
    long[] c = new long[edges.length + 1];
    for (float x : s) {
      int i = 0;
      while (i < edges.length && x > edges[i]) {
        i++;
      }
      c[i]++;
    }
    return c;
  }

  @Test
  void accuracyFromLabelsAndThresholds() {
    for (Report.VersionReport v : report.versions()) {
      float[] s = scores.get(v.label());
      long correct = 0;
      for (int i = 0; i < N; i++) {
        correct += (s[i] > 1 - s[i] ? 1 : 0) == labels[i] ? 1 : 0;
      }
      assertEquals((double) correct / N, v.metric("accuracy"), 1e-12, v.label());
      assertEquals(N, v.evaluation().labelledRows());
    }
    Report.VersionReport v1 = report.versions().get(0);
    Report.VersionReport v2 = report.versions().get(1);
    assertEquals(v2.metric("accuracy") - v1.metric("accuracy"), v2.metric("accuracy_delta"), 1e-12);
    // v2 drifted against the reference: fails psi_vs_reference; rmse applies to no classifier.
    assertEquals(
        List.of(
            Thresholds.Outcome.PASS, Thresholds.Outcome.PASS, Thresholds.Outcome.NOT_APPLICABLE),
        v1.checks().stream().map(Thresholds.Check::outcome).toList());
    assertEquals(Thresholds.Outcome.FAIL, v2.checks().get(0).outcome());
    assertTrue(v1.passed());
    assertFalse(v2.passed());
    assertFalse(report.passed());
  }

  @Test
  void markdownAndJsonCarryTheSameFigures() throws Exception {
    String md = Files.readString(written.markdown());
    assertTrue(md.contains("| churn:v1 (baseline) | pass | 2,000 |"), md);
    assertTrue(md.contains("| churn:v2 | FAIL | 2,000 |"), md);
    JsonNode json = new ObjectMapper().readTree(written.json().toFile());
    assertEquals("churn:v1", json.get("baseline").asText());
    assertFalse(json.get("passed").asBoolean());
    assertEquals(
        report.versions().get(1).metric("psi_vs_baseline"),
        json.get("versions").get(1).get("metrics").get("psi_vs_baseline").asDouble(),
        0);
    assertEquals("fail", json.get("versions").get(1).get("checks").get(0).get("outcome").asText());
    assertEquals(report.tableVersion(), json.get("provenance").get("table_version").asLong());
  }

  @Test
  void htmlRendersInHeadlessChromium() throws Exception {
    Path shot = OUT.resolve("report-screenshot.png");
    Files.deleteIfExists(shot);
    HeadlessChromium.PageReport page;
    try (HeadlessChromium browser = HeadlessChromium.start(OUT.resolve("browser"))) {
      page = browser.open(written.html().toAbsolutePath(), shot);
    }
    assertEquals(List.of(), page.consoleErrors());
    assertTrue(page.title().startsWith("Model versions on "), page.title());
    assertTrue(page.tables() >= 4, "tables: " + page.tables());
    // Throughput, engine throughput, latency, size, accuracy, histogram, 2 confusion
    // matrices, calibration.
    assertEquals(9, page.images().size(), page.images().toString());
    for (HeadlessChromium.Image img : page.images()) {
      assertTrue(img.srcPrefix().startsWith("data:image/png;base64,"), img.toString());
      assertTrue(img.naturalWidth() > 100 && img.naturalHeight() > 100, img.toString());
      assertTrue(img.width() > 0 && img.height() > 0, "not rendered: " + img);
    }
    assertNotNull(ImageIO.read(shot.toFile()), "screenshot " + shot);
    assertTrue(ImageIO.read(shot.toFile()).getHeight() > 1000);
  }

  @Test
  void figuresSayWhatIsBehindThem() throws Exception {
    String md = Files.readString(written.markdown());
    // The labelled rows behind the accuracy, and the column the labels came from.
    assertTrue(md.contains("| labelled rows (label column) |"), md);
    assertTrue(md.contains("| 2,000 ('y') |"), md);
    // The batches behind the latencies and engine rates; 20 is enough to compare.
    assertTrue(md.contains("| batches |"), md);
    assertFalse(md.contains("not comparable"), md);
    // Rates in whole rows per second (2,000 rows in 40 s, 2,000 rows in 250 ms of engine time),
    // latencies to two places.
    assertTrue(md.contains("| rows_per_s | 50 | 50 (+0) |"), md);
    assertTrue(md.contains("| engine_rows_per_s | 8,000 | 8,000 (+0) |"), md);
    assertTrue(md.contains("| batch_p50_ms (lower is better) | 2.00 | 3.00 (+1.00) |"), md);

    // A version whose run had 4 batches: its latency and engine rate are marked, in the version
    // table, the metric table and the charts' legends.
    Report.VersionReport v2 = report.versions().get(1);
    RunRecord fewRun =
        run(table, "run-ds", DS, "v2", Instant.parse("2026-03-02T03:00:00Z"), 3.0, 4);
    List<Report.VersionReport> vs =
        List.of(
            report.versions().get(0),
            new Report.VersionReport(
                v2.name(),
                v2.version(),
                v2.digest(),
                v2.runId(),
                v2.predictions(),
                fewRun,
                v2.evaluation(),
                v2.histogram(),
                v2.psiEdges(),
                v2.metrics(),
                v2.checks(),
                v2.embeddings()));
    Report few =
        new Report(
            report.table(),
            report.tableVersion(),
            report.ds(),
            report.kind(),
            report.baseline(),
            report.reference(),
            vs,
            report.histogramEdges(),
            report.agreement(),
            report.agreementTolerance(),
            report.rules(),
            report.provenance(),
            report.notes());
    ReportWriter.Written w = ReportWriter.write(few, OUT.resolve("report-few-batches"));
    String fewMd = Files.readString(w.markdown());
    assertTrue(fewMd.contains("8,000 (4 batches: not comparable)"), fewMd);
    assertTrue(fewMd.contains("3.00 / 6.00 / 9.00 (4 batches: not comparable) | 4 |"), fewMd);
    assertTrue(
        fewMd.contains("| batch_p95_ms (lower is better) | 4.00 | 6.00 (+2.00) (4 batches: not"),
        fewMd);
    assertFalse(fewMd.contains("churn:v1 (4 batches"), fewMd);
    HeadlessChromium.PageReport page;
    try (HeadlessChromium browser = HeadlessChromium.start(OUT.resolve("browser-few"))) {
      page = browser.open(w.html().toAbsolutePath(), OUT.resolve("report-few-screenshot.png"));
    }
    assertEquals(List.of(), page.consoleErrors());
    assertEquals(9, page.images().size(), page.images().toString());
    assertTrue(page.text().contains("4 batches: not comparable"), page.text());
    assertTrue(page.text().contains("2,000 ('y')"), page.text());
  }

  @Test
  void everyChartDrawsAVersionInItsOwnColour() throws Exception {
    List<String> labels = report.versions().stream().map(Report.VersionReport::label).toList();
    java.awt.Color v1 = dev.inferlake.reports.internal.Charts.colour(labels, "churn:v1");
    java.awt.Color v2 = dev.inferlake.reports.internal.Charts.colour(labels, "churn:v2");
    assertFalse(v1.equals(v2));
    int charts = 0;
    for (dev.inferlake.reports.internal.Charts.Image img :
        dev.inferlake.reports.internal.Charts.draw(report)) {
      if (img.id().startsWith("confusion-")) {
        continue; // one version each
      }
      java.awt.image.BufferedImage png = ImageIO.read(new java.io.ByteArrayInputStream(img.png()));
      java.util.Set<Integer> colours = new java.util.HashSet<>();
      for (int x = 0; x < png.getWidth(); x++) {
        for (int y = 0; y < png.getHeight(); y++) {
          colours.add(png.getRGB(x, y) & 0xffffff);
        }
      }
      assertTrue(colours.contains(v1.getRGB() & 0xffffff), img.id() + " lacks v1's colour");
      assertTrue(colours.contains(v2.getRGB() & 0xffffff), img.id() + " lacks v2's colour");
      charts++;
    }
    // throughput, engine throughput, latency, size, accuracy, histogram, calibration
    assertEquals(7, charts);
  }

  @Test
  void theAccuracyAxisIsZoomedOnTheVersionsValues() {
    List<String> m = List.of("accuracy", "roc_auc");
    double[] axis = dev.inferlake.reports.internal.Charts.zoomed(report.versions(), m, true);
    double lo = 1;
    double hi = 0;
    for (Report.VersionReport v : report.versions()) {
      for (String name : m) {
        lo = Math.min(lo, v.metric(name));
        hi = Math.max(hi, v.metric(name));
      }
    }
    double pad = Math.max((hi - lo) / 2, 0.01);
    assertEquals(Math.max(0, lo - pad), axis[0], 1e-12);
    assertEquals(Math.min(1, hi + pad), axis[1], 1e-12);
    assertTrue(axis[1] - axis[0] < 1, "zoomed in: " + axis[0] + " to " + axis[1]);
  }

  static void deleteTree(Path p) throws java.io.IOException {
    if (Files.exists(p)) {
      try (var s = Files.walk(p)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void runIdsReadFromThePredictionTableNeverBecomeSqlText() throws Exception {
    SparkSession spark = TestSpark.session();
    String quoted = OUT.resolve("quoted-predictions").toAbsolutePath().toString();
    deleteTree(OUT.resolve("quoted-predictions"));
    deleteTree(OUT.resolve("quoted-predictions_runs"));
    // a run id with a quote in it, as anyone who can write the table can leave one
    String runId = "run-o'brien') OR ('1'='1";
    List<Row> rows = new ArrayList<>();
    add(rows, "v1", scores.get("churn:v1"), DS, runId);
    spark.createDataFrame(rows, SCHEMA).write().format("delta").save(quoted);
    RunsTable.append(
        spark,
        RunsTable.defaultPath(quoted),
        List.of(
            run(quoted, runId, DS, "v1", Instant.parse("2026-03-02T03:00:00Z"), 2.0),
            run(quoted, "run-other", DS, "v1", Instant.parse("2026-03-02T02:00:00Z"), 9.0)));
    Report r = new ReportBuilder(spark).build(ReportRequest.of(quoted).withDs(DS));
    assertTrue(
        r.notes().stream().noneMatch(n -> n.contains("has no row")),
        "the run's row is found by its id: " + r.notes());
  }
}
