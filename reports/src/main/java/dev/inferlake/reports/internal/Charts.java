package dev.inferlake.reports.internal;

import dev.inferlake.reports.Evaluation;
import dev.inferlake.reports.Report;
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
      c.addSeries("rows/s", runLabels, withRuns.stream().map(v -> v.metric("rows_per_s")).toList());
      out.add(png("throughput", "Throughput by version: input rows / run wall time", c));
    }
    if (!withRuns.isEmpty()
        && withRuns.stream().allMatch(v -> v.metric("engine_rows_per_s") != null)) {
      CategoryChart c = bars("Engine throughput", "rows per second in the model");
      c.addSeries(
          "rows/s", runLabels, withRuns.stream().map(v -> v.metric("engine_rows_per_s")).toList());
      out.add(
          png("engine-throughput", "Engine throughput by version: rows / time in the model", c));
    }
    if (!withRuns.isEmpty() && withRuns.stream().allMatch(v -> v.metric("batch_p50_ms") != null)) {
      CategoryChart c = bars("Batch latency on executors", "milliseconds per batch");
      for (String q : List.of("p50", "p95", "p99")) {
        c.addSeries(
            q, runLabels, withRuns.stream().map(v -> v.metric("batch_" + q + "_ms")).toList());
      }
      out.add(png("latency", "Batch latency by version", c));
    }
    if (!withRuns.isEmpty() && withRuns.stream().allMatch(v -> v.run().model() != null)) {
      CategoryChart c = bars("Model size", "bytes");
      c.addSeries(
          "ONNX model", runLabels, withRuns.stream().map(v -> v.run().model().rawBytes()).toList());
      c.addSeries(
          "package as shipped",
          runLabels,
          withRuns.stream().map(v -> v.run().model().shippedBytes()).toList());
      out.add(png("size", "Model size by version", c));
    }
    List<Report.VersionReport> evaluated = vs.stream().filter(v -> v.evaluation() != null).toList();
    List<String> evalLabels = evaluated.stream().map(Report.VersionReport::label).toList();
    if (!evaluated.isEmpty()) {
      boolean cls = evaluated.get(0).evaluation().classification() != null;
      List<String> metrics =
          cls
              ? List.of("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc")
              : List.of("rmse", "mae", "r2");
      CategoryChart c = bars("Accuracy by version", cls ? "score (0 to 1)" : "error");
      if (cls) {
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
      }
      for (String m : metrics) {
        if (evaluated.stream().allMatch(v -> v.metric(m) != null)) {
          c.addSeries(m, evalLabels, evaluated.stream().map(v -> v.metric(m)).toList());
        }
      }
      if (!c.getSeriesMap().isEmpty()) {
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
      out.add(png("calibration", "Calibration", calibration(evaluated)));
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
    return c;
  }

  private static XYChart histogram(Report report, List<String> labels) {
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

  private static XYChart calibration(List<Report.VersionReport> evaluated) {
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
        c.addSeries(v.label(), x, y);
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
