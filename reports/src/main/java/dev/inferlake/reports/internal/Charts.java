package dev.inferlake.reports.internal;

import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.Report;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, drawn with XChart into PNG images. */
public final class Charts {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 380;

  /** One drawn chart. */
  public record Image(String id, String title, byte[] png) {}

  private Charts() {}

  /** Every chart the report has data for, in display order. */
  public static List<Image> draw(Report report) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    List<Image> out = new ArrayList<>();
    List<Report.VersionReport> vs = report.versions();
    List<String> labels = vs.stream().map(Report.VersionReport::label).toList();
    List<Report.VersionReport> withRuns = vs.stream().filter(v -> v.run() != null).toList();
    List<String> runLabels = withRuns.stream().map(Report.VersionReport::label).toList();

    if (!withRuns.isEmpty() && withRuns.stream().allMatch(v -> v.metric("rows_per_s") != null)) {
      CategoryChart c = bars("Throughput end to end", "input rows per second of wall time");
      c.getStyler().setDecimalPattern("#,##0");
      for (Report.VersionReport v : withRuns) {
        c.addSeries(v.label(), List.of("rows/s"), List.of(v.metric("rows_per_s")));
      }
      colours(c, labels, runLabels);
      out.add(png("throughput", "Throughput by version: input rows / run wall time", c));
    }
    if (!withRuns.isEmpty()
        && withRuns.stream().allMatch(v -> v.metric("engine_rows_per_s") != null)) {
      CategoryChart c = bars("Engine throughput", "rows per second in the model");
      c.getStyler().setDecimalPattern("#,##0");
      for (Report.VersionReport v : withRuns) {
        c.addSeries(
            batchLabel(v), List.of("engine rows/s"), List.of(v.metric("engine_rows_per_s")));
      }
      colours(c, labels, runLabels);
      out.add(
          png("engine-throughput", "Engine throughput by version: rows / time in the model", c));
    }
    if (!withRuns.isEmpty() && withRuns.stream().allMatch(v -> v.metric("batch_p50_ms") != null)) {
      CategoryChart c = bars("Batch latency on executors", "milliseconds per batch");
      List<String> qs = List.of("p50", "p95", "p99");
      for (Report.VersionReport v : withRuns) {
        c.addSeries(
            batchLabel(v), qs, qs.stream().map(q -> v.metric("batch_" + q + "_ms")).toList());
      }
      colours(c, labels, runLabels);
      out.add(png("latency", "Batch latency by version", c));
    }
    if (!withRuns.isEmpty() && withRuns.stream().allMatch(v -> v.run().model() != null)) {
      CategoryChart c = bars("Model size", "bytes");
      c.getStyler().setDecimalPattern("#,##0");
      for (Report.VersionReport v : withRuns) {
        c.addSeries(
            v.label(),
            List.of("ONNX model", "package as shipped"),
            List.of(v.run().model().rawBytes(), v.run().model().shippedBytes()));
      }
      colours(c, labels, runLabels);
      out.add(png("size", "Model size by version", c));
    }
    List<Report.VersionReport> evaluated = vs.stream().filter(v -> v.evaluation() != null).toList();
    List<String> evalLabels = evaluated.stream().map(Report.VersionReport::label).toList();
    if (!evaluated.isEmpty()) {
      boolean cls = evaluated.get(0).evaluation().classification() != null;
      List<String> metrics =
          (cls
                  ? List.of("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc")
                  : List.of("rmse", "mae", "r2"))
              .stream().filter(m -> evaluated.stream().allMatch(v -> v.metric(m) != null)).toList();
      CategoryChart c =
          bars("Accuracy by version", cls ? "score (axis zoomed on the values)" : "error");
      c.getStyler().setDecimalPattern("0.0000");
      if (!metrics.isEmpty()) {
        double[] axis = zoomed(evaluated, metrics, cls);
        c.getStyler().setYAxisMin(axis[0]).setYAxisMax(axis[1]);
        c.getStyler().setYAxisDecimalPattern("0.###");
        for (Report.VersionReport v : evaluated) {
          c.addSeries(v.label(), metrics, metrics.stream().map(v::metric).toList());
        }
        colours(c, labels, evalLabels);
        out.add(png("accuracy", "Accuracy by version", c));
      }
    }
    if (!report.kind().equals("embedding")) { // embeddings only: no score to draw
      out.add(png("histogram", "Score distribution by version", histogram(report, labels)));
    }
    for (Report.VersionReport v : evaluated) {
      Evaluation.Classification c = v.evaluation().classification();
      if (c != null && c.classes() <= 20) {
        out.add(
            png("confusion-" + slug(v.label()), "Confusion matrix: " + v.label(), confusion(v)));
      }
    }
    if (evaluated.stream().anyMatch(v -> v.evaluation().classification() != null)) {
      out.add(png("calibration", "Calibration", calibration(labels, evaluated)));
    }
    return out;
  }

  private static CategoryChart bars(String title, String yTitle) {
    CategoryChart c =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .yAxisTitle(yTitle)
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setAntiAlias(true);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisDecimalPattern("#,##0.##");
    c.getStyler().setLabelsVisible(true);
    c.getStyler().setLabelsFontColorAutomaticEnabled(false);
    c.getStyler().setLabelsFontColor(Color.BLACK);
    c.getStyler().setLabelsPosition(0.98);
    c.getStyler().setDecimalPattern("#,##0.##");
    return c;
  }

  /** Fewer batches than this make a latency or engine rate too noisy to compare. */
  public static final int MIN_BATCHES = ReportFigures.MIN_BATCHES;

  /**
   * One colour per version, by its place in the report (baseline first), the same in every chart.
   */
  private static final Color[] PALETTE = {
    new Color(31, 119, 180),
    new Color(255, 127, 14),
    new Color(44, 160, 44),
    new Color(214, 39, 40),
    new Color(148, 103, 189),
    new Color(140, 86, 75),
    new Color(227, 119, 194),
    new Color(127, 127, 127),
    new Color(188, 189, 34),
    new Color(23, 190, 207)
  };

  /** The colour of version {@code label} among the report's {@code labels}. */
  public static Color colour(List<String> labels, String label) {
    int i = labels.indexOf(label);
    return PALETTE[Math.max(0, i) % PALETTE.length];
  }

  /** Colours a chart whose series are {@code shown} (a subset of {@code labels}), in order. */
  private static void colours(Chart<?, ?> c, List<String> labels, List<String> shown) {
    c.getStyler().setSeriesColors(shown.stream().map(l -> colour(labels, l)).toArray(Color[]::new));
  }

  /** A version's name in a batch chart, marked when its batches are too few to compare. */
  private static String batchLabel(Report.VersionReport v) {
    String note = ReportFigures.batchNote(v.run());
    return note == null ? v.label() : v.label() + " (" + note + ")";
  }

  /**
   * A y axis around the versions' values of {@code metrics} that shows how they differ: padded by
   * half their spread (at least 0.01), kept within 0 to 1 for classifier scores.
   */
  public static double[] zoomed(List<Report.VersionReport> vs, List<String> metrics, boolean unit) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Report.VersionReport v : vs) {
      for (String m : metrics) {
        double x = v.metric(m);
        if (Double.isFinite(x)) {
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    double pad = Math.max((hi - lo) * 0.5, 0.01);
    lo -= pad;
    hi += pad;
    if (unit) {
      lo = Math.max(0, lo);
      hi = Math.min(1, hi);
    }
    return new double[] {lo, hi};
  }

  private static XYChart histogram(Report report, List<String> labels) {
    // labels: every version, in report order
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Score distribution")
            .xAxisTitle(report.kind().equals("classification") ? "score" : "prediction")
            .yAxisTitle("share of rows")
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    double[] edges = report.histogramEdges();
    double[] centers = new double[edges.length - 1];
    for (int i = 0; i < centers.length; i++) {
      centers[i] = (edges[i] + edges[i + 1]) / 2;
    }
    c.getStyler()
        .setSeriesColors(labels.stream().map(l -> colour(labels, l)).toArray(Color[]::new));
    for (Report.VersionReport v : report.versions()) {
      long total = 0;
      for (long n : v.histogram()) {
        total += n;
      }
      double[] share = new double[centers.length];
      for (int i = 0; i < share.length; i++) {
        share[i] = total == 0 ? 0 : v.histogram()[i] / (double) total;
      }
      c.addSeries(v.label(), centers, share);
    }
    return c;
  }

  private static HeatMapChart confusion(Report.VersionReport v) {
    long[][] m = v.evaluation().classification().confusion();
    int k = m.length;
    HeatMapChart c =
        new HeatMapChartBuilder()
            .width(Math.min(WIDTH, 260 + 60 * k))
            .height(Math.min(HEIGHT + 200, 200 + 50 * k))
            .title("Confusion: " + v.label())
            .xAxisTitle("predicted class")
            .yAxisTitle("label")
            .build();
    c.getStyler().setShowValue(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    int[] xs = new int[k];
    for (int i = 0; i < k; i++) {
      xs[i] = i;
    }
    List<Number[]> cells = new ArrayList<>();
    for (int l = 0; l < k; l++) {
      for (int p = 0; p < k; p++) {
        cells.add(new Number[] {p, l, m[l][p]});
      }
    }
    List<Integer> axis = java.util.Arrays.stream(xs).boxed().toList();
    c.addSeries("rows", axis, axis, cells);
    return c;
  }

  private static XYChart calibration(List<String> labels, List<Report.VersionReport> evaluated) {
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Calibration")
            .xAxisTitle("mean predicted probability")
            .yAxisTitle("observed share")
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    XYSeries diagonal =
        c.addSeries("perfectly calibrated", new double[] {0, 1}, new double[] {0, 1});
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(Color.GRAY);
    for (Report.VersionReport v : evaluated) {
      Evaluation.Classification cl = v.evaluation().classification();
      if (cl == null) {
        continue;
      }
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (Evaluation.CalibrationBin b : cl.calibration()) {
        if (b.rows() > 0) {
          x.add(b.meanScore());
          y.add(b.observed());
        }
      }
      if (!x.isEmpty()) {
        Color colour = colour(labels, v.label());
        XYSeries series = c.addSeries(v.label(), x, y);
        series.setLineColor(colour);
        series.setMarkerColor(colour);
      }
    }
    return c;
  }

  private static Image png(String id, String title, Chart<?, ?> chart) {
    try {
      return new Image(
          id, title, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw chart '" + title + "'", e);
    }
  }

  private static String slug(String s) {
    return s.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
