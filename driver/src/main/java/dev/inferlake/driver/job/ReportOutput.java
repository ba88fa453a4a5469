package dev.inferlake.driver.job;

import dev.inferlake.model.ErrorKind;
import dev.inferlake.model.InferlakeException;
import dev.inferlake.reports.Report;
import dev.inferlake.reports.ReportWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A report's folder: a local path or any Hadoop URI ({@link JobFiles}); {@code report.html}, {@code
 * report.md} and {@code report.json} are each written atomically.
 */
public final class ReportOutput {
  private ReportOutput() {}

  /**
   * Writes the report into {@code folder}.
   *
   * @return where {@code report.html} is, as messages show it
   * @throws InferlakeException RUN when a file cannot be written
   */
  public static String write(Report report, String folder) {
    for (Map.Entry<String, String> f : ReportWriter.files(report).entrySet()) {
      String target = resolve(folder, f.getKey());
      try {
        JobFiles.writeAtomically(target, f.getValue());
      } catch (IOException e) {
        throw new InferlakeException(
            ErrorKind.RUN, "writing the report to " + target + " failed: " + e, e);
      }
    }
    return html(folder);
  }

  /** Where {@code report.html} of {@code folder} is, as messages show it. */
  public static String html(String folder) {
    return JobFiles.display(resolve(folder, "report.html"));
  }

  /**
   * What the report in {@code folder} says of its thresholds: passed, or which versions failed;
   * null when there is no report there.
   */
  public static String thresholdOutcome(String folder) {
    try {
      String json = resolve(folder, "report.json");
      if (!JobFiles.exists(json)) {
        return null;
      }
      com.fasterxml.jackson.databind.JsonNode r =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(JobFiles.readString(json));
      if (r.path("passed").asBoolean(true)) {
        return "every version passed its thresholds";
      }
      List<String> failed = new ArrayList<>();
      r.path("versions")
          .forEach(
              v -> {
                if (!v.path("passed").asBoolean(true)) {
                  failed.add(v.path("model").asText("?"));
                }
              });
      return "thresholds FAILED for " + String.join(", ", failed);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String resolve(String folder, String name) {
    return folder.endsWith("/") ? folder + name : folder + "/" + name;
  }
}
