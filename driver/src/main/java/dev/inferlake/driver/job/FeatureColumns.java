package dev.inferlake.driver.job;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Column ranges and globs in a feature mapping, so a 64-pixel model is fed by one line: {@code
 * p0..p63} stands for p0, p1, ..., p63 (with the width of zero-padded ends kept: {@code f00..f15}
 * is f00 ... f15), and {@code f*} (or {@code ?} for one character) for every input column that
 * matches, in the input's column order. A name that is a column of the input is always taken as it
 * is.
 */
final class FeatureColumns {
  private static final Pattern RANGE = Pattern.compile("(.*?)(\\d+)\\.\\.\\1?(\\d+)");

  /** Names a range may produce at most: a typo such as p0..p640000 is no mapping. */
  static final int MAX_RANGE = 1 << 20;

  private FeatureColumns() {}

  /**
   * {@code columns} with every range and glob expanded.
   *
   * @param available the input's columns, in order
   * @param at what the columns feed, for the message
   * @throws dev.inferlake.model.InferlakeException INPUT for a glob that matches no column, USAGE
   *     for a range that runs backwards or is too long
   */
  static List<String> expand(List<String> columns, List<String> available, String at) {
    List<String> out = new ArrayList<>();
    for (String c : columns) {
      if (c == null || available.contains(c)) {
        out.add(c);
        continue;
      }
      Matcher r = RANGE.matcher(c);
      if (r.matches()) {
        out.addAll(range(c, r.group(1), r.group(2), r.group(3)));
      } else if (c.contains("*") || c.contains("?")) {
        Pattern glob = glob(c);
        List<String> hits = available.stream().filter(a -> glob.matcher(a).matches()).toList();
        if (hits.isEmpty()) {
          throw JobErrors.noSuchColumns(at, c, available);
        }
        out.addAll(hits);
      } else {
        out.add(c); // a missing column: binding names it
      }
    }
    return out;
  }

  private static List<String> range(String spec, String prefix, String from, String to) {
    long a = Long.parseLong(from);
    long b = Long.parseLong(to);
    if (b < a || b - a >= MAX_RANGE) {
      throw JobErrors.badValue(
          "input.features", spec, "a range from low to high, e.g. p0..p63, of at most 2^20 names");
    }
    int width = from.length() > 1 && from.startsWith("0") ? from.length() : 0;
    List<String> names = new ArrayList<>();
    for (long i = a; i <= b; i++) {
      String n = Long.toString(i);
      while (n.length() < width) {
        n = "0" + n;
      }
      names.add(prefix + n);
    }
    return names;
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (char ch : g.toCharArray()) {
      switch (ch) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
