package dev.inferlake.driver.job;

import java.time.LocalDate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run-date placeholders of a job's {@code input.path} and {@code input.where}, as Airflow names
 * them: {@code ${ds}} ({@code 2026-11-23}), {@code ${ds_nodash}} ({@code 20261123}), {@code
 * ${prev_ds}} and {@code ${next_ds}} (the day before and after). Each is filled with the text of a
 * date the run parsed ({@code --ds}), never with text a user passed through, so a placeholder can
 * only ever become digits and dashes. Any other {@code ${...}} is a spec error.
 */
public final class DateTemplate {
  /** The placeholder names, as written inside {@code ${...}}. */
  public static final List<String> NAMES = List.of("ds", "ds_nodash", "prev_ds", "next_ds");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

  private DateTemplate() {}

  /**
   * Checks that {@code value}'s placeholders are all known.
   *
   * @param key the spec key holding it, for the message ({@code input.where})
   * @throws dev.inferlake.model.InferlakeException USAGE naming the key and the placeholder
   */
  public static void check(String key, String value) {
    if (value == null) {
      return;
    }
    Matcher m = PLACEHOLDER.matcher(value);
    int end = 0;
    StringBuilder rest = new StringBuilder();
    while (m.find()) {
      if (!NAMES.contains(m.group(1))) {
        throw JobErrors.unknownPlaceholder(key, value, m.group());
      }
      rest.append(value, end, m.start());
      end = m.end();
    }
    rest.append(value.substring(end));
    if (rest.indexOf("${") >= 0) {
      throw JobErrors.unknownPlaceholder(
          key, value, rest.substring(rest.indexOf("${")).split("\\s")[0]);
    }
  }

  /** Whether {@code value} holds a placeholder. */
  public static boolean hasPlaceholder(String value) {
    return value != null && PLACEHOLDER.matcher(value).find();
  }

  /**
   * {@code value} with every placeholder replaced by the text of its date for run date {@code ds}.
   *
   * @param key the spec key holding it, for the message of an unknown placeholder
   */
  public static String fill(String key, String value, LocalDate ds) {
    if (value == null) {
      return null;
    }
    check(key, value);
    Matcher m = PLACEHOLDER.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(text(m.group(1), ds)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String text(String name, LocalDate ds) {
    return switch (name) {
      case "ds" -> ds.toString();
      case "ds_nodash" -> ds.toString().replace("-", "");
      case "prev_ds" -> ds.minusDays(1).toString();
      case "next_ds" -> ds.plusDays(1).toString();
      default -> throw new IllegalArgumentException(name); // check() let no other name through
    };
  }
}
