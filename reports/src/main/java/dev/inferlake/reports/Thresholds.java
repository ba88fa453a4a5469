package dev.inferlake.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules that mark each model version of a report pass or fail, written {@code metric<=value} (or
 * {@code >=}, {@code <}, {@code >}). A metric is one of {@link ReportMetrics#NAMES}, or one of them
 * with {@code _delta} (the version's value minus the baseline's). A rule whose metric a version
 * lacks (no labels, no reference run) is not applicable and fails nothing.
 */
public final class Thresholds {
  private static final Pattern RULE =
      Pattern.compile(
          "\\s*([a-z0-9_]+)\\s*(<=|>=|<|>)\\s*([-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?)\\s*");

  /**
   * The rules used unless others are given: drift of each version against itself on a reference
   * date, and no loss of quality against the baseline. PSI against the baseline is left out: two
   * versions of a model are meant to score differently (a better model moves its scores), so it
   * measures how much they differ, not drift; name {@code psi_vs_baseline<=x} to bound that.
   */
  public static final List<Rule> DEFAULTS =
      List.of(
          parse("psi_vs_reference<=0.25"),
          parse("accuracy_delta>=-0.01"),
          parse("roc_auc_delta>=-0.01"),
          parse("r2_delta>=-0.01"));

  private Thresholds() {}

  /** One rule. */
  public record Rule(String metric, String op, double value) {
    @Override
    public String toString() {
      return metric + op + (value == Math.rint(value) ? String.valueOf((long) value) : value);
    }

    boolean holds(double v) {
      return switch (op) {
        case "<=" -> v <= value;
        case ">=" -> v >= value;
        case "<" -> v < value;
        case ">" -> v > value;
        default -> throw new IllegalStateException(op);
      };
    }
  }

  /** The outcome of one rule for one version. */
  public enum Outcome {
    PASS,
    FAIL,
    NOT_APPLICABLE;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /** A rule applied to one version: the value it saw and the outcome. */
  public record Check(Rule rule, Double value, Outcome outcome) {}

  /**
   * Parses {@code metric<=value}.
   *
   * @throws dev.inferlake.model.InferlakeException USAGE naming what is wrong and the metrics that
   *     exist
   */
  public static Rule parse(String text) {
    Matcher m = RULE.matcher(text);
    if (!m.matches()) {
      throw ReportErrors.thresholdForm(text);
    }
    String metric = m.group(1);
    String base = metric.endsWith("_delta") ? metric.substring(0, metric.length() - 6) : metric;
    if (!ReportMetrics.NAMES.contains(base)) {
      throw ReportErrors.thresholdMetric(text, metric);
    }
    return new Rule(metric, m.group(2), Double.parseDouble(m.group(3)));
  }

  /** Applies every rule to one version's metrics (deltas included). */
  public static List<Check> check(List<Rule> rules, Map<String, Double> metrics) {
    List<Check> out = new ArrayList<>();
    for (Rule r : rules) {
      Double v = metrics.get(r.metric());
      if (v == null || v.isNaN()) {
        out.add(new Check(r, null, Outcome.NOT_APPLICABLE));
      } else {
        out.add(new Check(r, v, r.holds(v) ? Outcome.PASS : Outcome.FAIL));
      }
    }
    return out;
  }
}
