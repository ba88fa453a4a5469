package dev.inferlake.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.reports.internal.Charts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Report} as {@code report.html} (one self-contained file: charts are inline PNG
 * images, styles inline, no script), {@code report.md} and {@code report.json}. No Spark here.
 */
public final class ReportWriter {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  /** The files written. */
  public record Written(Path html, Path markdown, Path json) {}

  /** The report's files, by name: {@code report.html}, {@code report.md}, {@code report.json}. */
  public static java.util.Map<String, String> files(Report report) {
    java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
    files.put("report.html", html(report));
    files.put("report.md", markdown(report));
    files.put("report.json", json(report));
    return files;
  }

  /** Writes the three files into {@code dir} (created if needed), each atomically. */
  public static Written write(Report report, Path dir) {
    try {
      Files.createDirectories(dir);
      java.util.Map<String, String> files = files(report);
      for (java.util.Map.Entry<String, String> f : files.entrySet()) {
        put(dir.resolve(f.getKey()), f.getValue());
      }
      return new Written(
          dir.resolve("report.html"), dir.resolve("report.md"), dir.resolve("report.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + dir, e);
    }
  }

  private static Path put(Path target, String text) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  // ---------------------------------------------------------------- JSON

  /** The report as JSON: every figure, the checks, the provenance. */
  public static String json(Report r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("table", r.table());
    o.put("table_version", r.tableVersion());
    o.put("ds", r.ds().toString());
    o.put("kind", r.kind());
    o.put("baseline", r.baseline());
    o.put("reference", r.reference());
    o.put("passed", r.passed());
    ArrayNode edges = o.putArray("histogram_edges");
    for (double e : r.histogramEdges()) {
      edges.add(e);
    }
    ArrayNode vs = o.putArray("versions");
    for (Report.VersionReport v : r.versions()) {
      ObjectNode n = vs.addObject();
      n.put("model", v.label());
      n.put("name", v.name());
      n.put("version", v.version());
      n.put("digest", v.digest());
      n.put("run_id", v.runId());
      n.put("predictions", v.predictions());
      n.put("passed", v.passed());
      ObjectNode metrics = n.putObject("metrics");
      v.metrics().forEach(metrics::put);
      ArrayNode checks = n.putArray("checks");
      for (Thresholds.Check c : v.checks()) {
        checks
            .addObject()
            .put("rule", c.rule().toString())
            .put("value", c.value())
            .put("outcome", c.outcome().label());
      }
      ArrayNode h = n.putArray("histogram");
      for (long x : v.histogram()) {
        h.add(x);
      }
      ArrayNode pe = n.putArray("psi_edges");
      for (double x : v.psiEdges()) {
        pe.add(x);
      }
      if (v.run() != null) {
        RunRecord run = v.run();
        ObjectNode rn = n.putObject("run");
        rn.put("status", run.status());
        rn.put("started_at", String.valueOf(run.startedAt()));
        rn.put("finished_at", String.valueOf(run.finishedAt()));
        rn.put("rows_in", run.rowsIn());
        rn.put("predicted", run.predicted());
        rn.put("quarantined", run.quarantined());
        rn.put("skipped", run.skipped());
        rn.put("wall_ms", run.wallMillis());
        rn.put("task_ms", run.taskMillis());
        rn.put("spark_app_id", run.sparkAppId());
        rn.put("user", run.user());
        if (run.batches() != null) {
          rn.put("batches", run.batches().count());
          rn.put("engine_ms", run.batches().engineMillis());
          rn.put("batch_max_ms", run.batches().maxMillis());
        }
        if (run.model() != null) {
          rn.put("loads", run.model().loads());
          rn.put("device", run.model().device());
        }
      }
      if (v.embeddings() != null) {
        EmbeddingComparison c = v.embeddings();
        ObjectNode em = n.putObject("embeddings");
        em.put("against", r.baseline());
        em.put("keys", c.keys());
        if (c.cosine() != null) {
          em.put("cosine_keys", c.cosine().keys());
          putFinite(em, "cosine_mean", c.cosine().mean());
          putFinite(em, "cosine_p1", c.cosine().p1());
          putFinite(em, "cosine_p5", c.cosine().p5());
          em.put("cosine_resolution", EmbeddingSimilarity.COSINE_RESOLUTION);
        }
        em.put("sample_keys", c.sampleKeys());
        em.put("neighbours", c.neighbours());
        putFinite(em, "nn_overlap", c.neighbourOverlap());
      }
      if (v.evaluation() != null) {
        Evaluation e = v.evaluation();
        ObjectNode en = n.putObject("evaluation");
        en.put("label_column", e.labelColumn());
        en.put("labelled_rows", e.labelledRows());
        en.put("unusable_labels", e.unusableLabels());
        if (e.multilabel() != null) {
          Evaluation.Multilabel l = e.multilabel();
          en.put("labels", l.labels());
          longs(en.putArray("true_positives"), l.truePositives());
          longs(en.putArray("false_positives"), l.falsePositives());
          longs(en.putArray("false_negatives"), l.falseNegatives());
        }
        if (e.multiTarget() != null) {
          Evaluation.MultiTarget t = e.multiTarget();
          en.put("targets", t.targets());
          doubles(en.putArray("rmse"), t.rmse());
          doubles(en.putArray("mae"), t.mae());
          doubles(en.putArray("r2"), t.r2());
        }
        if (e.classification() != null) {
          Evaluation.Classification c = e.classification();
          en.put("classes", c.classes());
          ArrayNode cm = en.putArray("confusion");
          for (long[] row : c.confusion()) {
            ArrayNode rr = cm.addArray();
            for (long x : row) {
              rr.add(x);
            }
          }
          ArrayNode cal = en.putArray("calibration");
          for (Evaluation.CalibrationBin b : c.calibration()) {
            ObjectNode bn =
                cal.addObject()
                    .put("lower", b.lower())
                    .put("upper", b.upper())
                    .put("rows", b.rows());
            if (b.rows() > 0) {
              bn.put("mean_score", b.meanScore()).put("observed", b.observed());
            }
          }
        }
      }
    }
    ArrayNode ag = o.putArray("agreement");
    for (double[] row : r.agreement()) {
      ArrayNode a = ag.addArray();
      for (double x : row) {
        if (Double.isNaN(x)) {
          a.addNull();
        } else {
          a.add(x);
        }
      }
    }
    o.put("agreement_tolerance", r.agreementTolerance());
    ArrayNode rules = o.putArray("thresholds");
    r.rules().forEach(x -> rules.add(x.toString()));
    ArrayNode notes = o.putArray("notes");
    r.notes().forEach(notes::add);
    ObjectNode prov = o.putObject("provenance");
    new java.util.TreeMap<>(r.provenance()).forEach(prov::put);
    try {
      return JSON.writeValueAsString(o) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void longs(ArrayNode a, long[] values) {
    for (long x : values) {
      a.add(x);
    }
  }

  private static void doubles(ArrayNode a, double[] values) {
    for (double x : values) {
      if (Double.isFinite(x)) {
        a.add(x);
      } else {
        a.addNull();
      }
    }
  }

  private static void putFinite(ObjectNode o, String name, double x) {
    if (Double.isFinite(x)) {
      o.put(name, x);
    } else {
      o.putNull(name);
    }
  }

  // ---------------------------------------------------------------- tables shared by MD and HTML

  /** Whether any version has embeddings compared with the baseline's. */
  private static boolean hasEmbeddings(Report r) {
    return r.versions().stream().anyMatch(v -> v.embeddings() != null);
  }

  /** How the embedding comparison was made, in one sentence. */
  private static String embeddingMethod(Report r) {
    return String.format(
        Locale.ROOT,
        "Each version's embedding column against the baseline %s's, on the keys both embedded:"
            + " cosine similarity per key (mean, and 1st and 5th percentiles to %.4f), and the"
            + " overlap of each key's %d nearest neighbours by cosine within a sample of up to"
            + " %,d keys (the keys with the smallest xxhash64 of the key columns, the same on"
            + " every run).",
        r.baseline(),
        EmbeddingSimilarity.COSINE_RESOLUTION,
        EmbeddingSimilarity.NEIGHBOURS,
        EmbeddingSimilarity.SAMPLE);
  }

  private static List<List<String>> embeddingTable(Report r) {
    List<List<String>> t = new ArrayList<>();
    t.add(
        List.of(
            "version",
            "keys",
            "cosine mean",
            "cosine p1",
            "cosine p5",
            "sample keys",
            "nearest-neighbour overlap@" + EmbeddingSimilarity.NEIGHBOURS));
    for (Report.VersionReport v : r.versions()) {
      EmbeddingComparison c = v.embeddings();
      if (c == null) {
        continue;
      }
      EmbeddingSimilarity.Cosine cos = c.cosine();
      t.add(
          List.of(
              v.label(),
              count(c.keys()),
              cos == null ? "-" : fixed(cos.mean()),
              cos == null ? "-" : fixed(cos.p1()),
              cos == null ? "-" : fixed(cos.p5()),
              count(c.sampleKeys()),
              fixed(c.neighbourOverlap())));
    }
    return t;
  }

  /** Per-target errors of the versions with several targets. */
  private static List<List<String>> targetTable(Report r) {
    List<List<String>> t = new ArrayList<>();
    t.add(List.of("version", "target", "rmse", "mae", "r2"));
    for (Report.VersionReport v : r.versions()) {
      if (v.evaluation() == null || v.evaluation().multiTarget() == null) {
        continue;
      }
      Evaluation.MultiTarget m = v.evaluation().multiTarget();
      for (int i = 0; i < m.targets(); i++) {
        t.add(
            List.of(
                v.label(),
                String.valueOf(i),
                fixed(m.rmse()[i]),
                fixed(m.mae()[i]),
                fixed(m.r2()[i])));
      }
    }
    return t;
  }

  private static String fixed(double x) {
    return Double.isFinite(x) ? String.format(Locale.ROOT, "%.4f", x) : "-";
  }

  /** A table as rows of cells; the first row is the header. */
  private static List<List<String>> versionTable(Report r) {
    List<List<String>> t = new ArrayList<>();
    t.add(
        List.of(
            "version",
            "status",
            "predictions",
            "labelled rows (label column)",
            "rows/s",
            "engine rows/s",
            "batch p50/p95/p99 ms",
            "batches",
            "model bytes (raw / shipped)",
            "device",
            "run"));
    for (Report.VersionReport v : r.versions()) {
      RunRecord run = v.run();
      t.add(
          List.of(
              v.label() + (v.label().equals(r.baseline()) ? " (baseline)" : ""),
              v.passed() ? "pass" : "FAIL",
              count(v.predictions()),
              labelled(v.evaluation()),
              num(v.metric("rows_per_s"), "%,.0f"),
              marked(num(v.metric("engine_rows_per_s"), "%,.0f"), run),
              run == null || run.batches() == null
                  ? "-"
                  : marked(
                      String.format(
                          Locale.ROOT,
                          "%.2f / %.2f / %.2f",
                          run.batches().p50Millis(),
                          run.batches().p95Millis(),
                          run.batches().p99Millis()),
                      run),
              run == null || run.batches() == null ? "-" : count(run.batches().count()),
              run == null || run.model() == null
                  ? "-"
                  : count(run.model().rawBytes()) + " / " + count(run.model().shippedBytes()),
              run == null || run.model() == null ? "-" : run.model().device(),
              v.runId()));
    }
    return t;
  }

  /** The labelled rows behind a version's accuracy, and the column the labels came from. */
  private static String labelled(Evaluation e) {
    if (e == null) {
      return "-";
    }
    return count(e.labelledRows())
        + " ('"
        + e.labelColumn()
        + "'"
        + (e.unusableLabels() > 0 ? "; " + count(e.unusableLabels()) + " unusable" : "")
        + ")";
  }

  /** A latency or engine-rate cell, marked when the run's batches are too few to compare. */
  private static String marked(String cell, RunRecord run) {
    String note = dev.inferlake.reports.internal.ReportFigures.batchNote(run);
    return note == null || cell.equals("-") ? cell : cell + " (" + note + ")";
  }

  /** Metric rows, a column per version: the value and its delta against the baseline. */
  private static List<List<String>> metricTable(Report r) {
    List<List<String>> t = new ArrayList<>();
    List<String> header = new ArrayList<>();
    header.add("metric");
    r.versions().forEach(v -> header.add(v.label()));
    t.add(header);
    for (String m : ReportMetrics.NAMES) {
      if (r.versions().stream().noneMatch(v -> v.metric(m) != null)) {
        continue;
      }
      List<String> row = new ArrayList<>();
      row.add(m + (ReportMetrics.LOWER_IS_BETTER.contains(m) ? " (lower is better)" : ""));
      for (Report.VersionReport v : r.versions()) {
        Double x = v.metric(m);
        Double d = v.metric(m + "_delta");
        // Counts, bytes and rates in whole units; milliseconds to two places, ratios and errors
        // to four.
        String cell =
            x == null ? "-" : dev.inferlake.reports.internal.ReportFigures.metric(m, x, false);
        if (x != null && d != null && !v.label().equals(r.baseline())) {
          cell += " (" + dev.inferlake.reports.internal.ReportFigures.metric(m, d, true) + ")";
        }
        if (x != null && (m.startsWith("batch_") || m.equals("engine_rows_per_s"))) {
          cell = marked(cell, v.run());
        }
        row.add(cell);
      }
      t.add(row);
    }
    return t;
  }

  private static List<List<String>> checkTable(Report r) {
    List<List<String>> t = new ArrayList<>();
    List<String> header = new ArrayList<>();
    header.add("threshold");
    r.versions().forEach(v -> header.add(v.label()));
    t.add(header);
    for (int i = 0; i < r.rules().size(); i++) {
      List<String> row = new ArrayList<>();
      row.add(r.rules().get(i).toString());
      for (Report.VersionReport v : r.versions()) {
        Thresholds.Check c = v.checks().get(i);
        row.add(
            c.outcome() == Thresholds.Outcome.NOT_APPLICABLE
                ? "n/a"
                : (c.outcome() == Thresholds.Outcome.FAIL ? "FAIL" : "pass")
                    + String.format(Locale.ROOT, " (%.4f)", c.value()));
      }
      t.add(row);
    }
    return t;
  }

  private static List<List<String>> agreementTable(Report r) {
    List<List<String>> t = new ArrayList<>();
    List<String> header = new ArrayList<>();
    header.add("");
    r.versions().forEach(v -> header.add(v.label()));
    t.add(header);
    for (int i = 0; i < r.versions().size(); i++) {
      List<String> row = new ArrayList<>();
      row.add(r.versions().get(i).label());
      for (int j = 0; j < r.versions().size(); j++) {
        double a = r.agreement()[i][j];
        row.add(Double.isNaN(a) ? "-" : String.format(Locale.ROOT, "%.4f", a));
      }
      t.add(row);
    }
    return t;
  }

  private static String title(Report r) {
    return "Model versions on " + r.table() + ", ds=" + r.ds();
  }

  private static String summary(Report r) {
    long failed = r.versions().stream().filter(v -> !v.passed()).count();
    return String.format(
        Locale.ROOT,
        "%d version(s), %s, baseline %s%s: %s",
        r.versions().size(),
        r.kind(),
        r.baseline(),
        r.reference() == null ? "" : ", reference " + r.reference(),
        failed == 0 ? "every version passed its thresholds" : failed + " version(s) FAILED");
  }

  // ---------------------------------------------------------------- Markdown

  /** The report as Markdown (tables only; the charts are in the HTML). */
  public static String markdown(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title(r)).append("\n\n");
    sb.append(summary(r)).append(".\n\n");
    sb.append("## Versions\n\n").append(md(versionTable(r))).append('\n');
    sb.append("## Metrics (delta against the baseline)\n\n")
        .append(md(metricTable(r)))
        .append('\n');
    if (hasEmbeddings(r)) {
      sb.append("## Embedding similarity\n\n")
          .append(embeddingMethod(r))
          .append("\n\n")
          .append(md(embeddingTable(r)))
          .append('\n');
    }
    if (targetTable(r).size() > 1) {
      sb.append("## Errors per target\n\n").append(md(targetTable(r))).append('\n');
    }
    sb.append("## Thresholds\n\n").append(md(checkTable(r))).append('\n');
    if (!r.kind().equals("embedding")) { // no prediction values to agree on
      sb.append("## Agreement\n\n")
          .append("Share of keys on which two versions agree")
          .append(
              r.kind().equals("classification")
                  ? " (same class).\n\n"
                  : String.format(Locale.ROOT, " (within %g).%n%n", r.agreementTolerance()))
          .append(md(agreementTable(r)))
          .append('\n');
    }
    if (!r.notes().isEmpty()) {
      sb.append("## Notes\n\n");
      r.notes().forEach(n -> sb.append("- ").append(n).append('\n'));
      sb.append('\n');
    }
    sb.append("## Provenance\n\n");
    new java.util.TreeMap<>(r.provenance())
        .forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
    return sb.toString();
  }

  private static String md(List<List<String>> t) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < t.size(); i++) {
      sb.append('|');
      for (String c : t.get(i)) {
        sb.append(' ').append(c.replace("|", "\\|")).append(" |");
      }
      sb.append('\n');
      if (i == 0) {
        sb.append('|').append("---|".repeat(t.get(0).size())).append('\n');
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- HTML

  /** The report as one self-contained HTML page with its charts inline. */
  public static String html(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(esc(title(r)))
        .append("</title>\n<style>\n")
        .append(
            "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}"
                + "table{border-collapse:collapse;margin:1em 0}"
                + "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                + "th:first-child,td:first-child{text-align:left}"
                + "th{background:#f3f3f3}.fail{color:#b00;font-weight:bold}.pass{color:#070}"
                + "figure{display:inline-block;margin:0.5em}figcaption{font-size:90%;color:#555}"
                + ".summary{font-size:110%}code{background:#f3f3f3;padding:0 3px}\n")
        .append("</style>\n</head>\n<body>\n");
    sb.append("<h1>").append(esc(title(r))).append("</h1>\n");
    sb.append("<p class=\"summary ")
        .append(r.passed() ? "pass" : "fail")
        .append("\">")
        .append(esc(summary(r)))
        .append("</p>\n");
    sb.append("<h2>Versions</h2>\n").append(htmlTable(versionTable(r)));
    sb.append("<h2>Metrics</h2>\n<p>Each value with its difference from the baseline.</p>\n")
        .append(htmlTable(metricTable(r)));
    if (hasEmbeddings(r)) {
      sb.append("<h2>Embedding similarity</h2>\n<p>")
          .append(esc(embeddingMethod(r)))
          .append("</p>\n")
          .append(htmlTable(embeddingTable(r)));
    }
    if (targetTable(r).size() > 1) {
      sb.append("<h2>Errors per target</h2>\n").append(htmlTable(targetTable(r)));
    }
    sb.append("<h2>Thresholds</h2>\n").append(htmlTable(checkTable(r)));
    if (!r.kind().equals("embedding")) {
      sb.append("<h2>Agreement</h2>\n").append(htmlTable(agreementTable(r)));
    }
    sb.append("<h2>Charts</h2>\n");
    for (Charts.Image c : Charts.draw(r)) {
      sb.append("<figure id=\"chart-")
          .append(esc(c.id()))
          .append("\"><img alt=\"")
          .append(esc(c.title()))
          .append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(c.png()))
          .append("\"><figcaption>")
          .append(esc(c.title()))
          .append("</figcaption></figure>\n");
    }
    if (!r.notes().isEmpty()) {
      sb.append("<h2>Notes</h2>\n<ul>\n");
      r.notes().forEach(n -> sb.append("<li>").append(esc(n)).append("</li>\n"));
      sb.append("</ul>\n");
    }
    sb.append("<h2>Provenance</h2>\n<ul>\n");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(r.provenance()).entrySet()) {
      sb.append("<li>")
          .append(esc(e.getKey()))
          .append(": <code>")
          .append(esc(e.getValue()))
          .append("</code></li>\n");
    }
    sb.append("</ul>\n</body>\n</html>\n");
    return sb.toString();
  }

  private static String htmlTable(List<List<String>> t) {
    StringBuilder sb = new StringBuilder("<table>\n");
    for (int i = 0; i < t.size(); i++) {
      sb.append("<tr>");
      for (String c : t.get(i)) {
        String tag = i == 0 ? "th" : "td";
        String cls =
            i == 0
                ? ""
                : c.startsWith("FAIL")
                    ? " class=\"fail\""
                    : c.startsWith("pass") ? " class=\"pass\"" : "";
        sb.append('<')
            .append(tag)
            .append(cls)
            .append('>')
            .append(esc(c))
            .append("</")
            .append(tag)
            .append('>');
      }
      sb.append("</tr>\n");
    }
    return sb.append("</table>\n").toString();
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String num(Double v, String pattern) {
    return v == null ? "-" : String.format(Locale.ROOT, pattern, v);
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
