package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.executors.KeyColumn;
import dev.inferlake.executors.OnInvalid;
import dev.inferlake.executors.QuarantineSchema;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The rows of a CSV or JSON input that do not parse (a value that is not of its column's type, a
 * line of too many or too few fields, text that is not JSON). Like rows a model cannot take, they
 * follow {@code on_invalid}: {@code fail} refuses the run before scoring, {@code skip} counts them
 * as skipped, {@code quarantine} writes one quarantine row per version with reason {@code
 * unparsable}, the row's text in {@code value} and whatever key parsed. Either way they count as
 * input rows, against {@code max_invalid_fraction}.
 */
final class UnparsableRows {
  /** The quarantine reason. */
  static final String REASON = "unparsable";

  /** Characters of a row's text kept in the quarantine's {@code value}. */
  static final int VALUE_CHARS = 512;

  private UnparsableRows() {}

  /**
   * The rows of {@code withUnparsable} that did not parse, with {@code columns} (what the scan of
   * the scored rows parses too, so both agree on which rows parse) and their text.
   */
  static Dataset<Row> of(Dataset<Row> withUnparsable, List<String> columns) {
    List<Column> cols = new ArrayList<>();
    for (String c : columns) {
      cols.add(functions.col(c));
    }
    cols.add(functions.col(InputSource.UNPARSABLE_COLUMN));
    return withUnparsable
        .where(functions.col(InputSource.UNPARSABLE_COLUMN).isNotNull())
        .select(cols.toArray(Column[]::new));
  }

  /** Under {@code on_invalid: fail}, refuses an input with unparsable rows, naming the first. */
  static void refuseUnderFail(JobSpec spec, Dataset<Row> unparsable) {
    if (unparsable == null) {
      return;
    }
    if (spec.chunksOrDefault() > 1) {
      throw JobErrors.badValue(
          "resumable",
          "chunks: " + spec.chunksOrDefault(),
          "no resumable section for csv or json"
              + " input (its chunks are files whose unparsable rows are not told apart)");
    }
    if (spec.onInvalidOrDefault() != OnInvalid.FAIL) {
      return;
    }
    List<Row> first = unparsable.limit(1).collectAsList();
    if (!first.isEmpty()) {
      throw JobErrors.unparsableRows(
          spec.input().path(), count(unparsable), text(first.get(0)), null);
    }
  }

  /**
   * Adds one chunk's unparsable rows to what it commits: their count to {@code rows_in} and to each
   * version's {@code invalid} in {@code info}, and under {@code quarantine} their rows to {@code
   * quarantine}.
   *
   * @return the quarantine rows to commit
   * @throws dev.inferlake.model.InferlakeException INPUT when a version's invalid rows, these
   *     included, exceed {@code max_invalid_fraction}
   */
  static Dataset<Row> addTo(
      SparkSession spark,
      JobSpec spec,
      Dataset<Row> unparsable,
      List<KeyColumn> keys,
      String runId,
      LocalDate ds,
      long startMicros,
      Dataset<Row> quarantine,
      ObjectNode info) {
    if (unparsable == null) {
      return quarantine;
    }
    long count = count(unparsable);
    if (count == 0) {
      return quarantine;
    }
    long rowsIn = info.path("rows_in").asLong(0) + count;
    Map<String, Long> invalid = new TreeMap<>();
    info.path("invalid")
        .fields()
        .forEachRemaining(e -> invalid.put(e.getKey(), e.getValue().asLong()));
    for (JobSpec.Model m : spec.models()) {
      long n = invalid.merge(m.label(), count, Long::sum);
      if (n > spec.maxInvalidFractionOrDefault() * rowsIn) {
        throw JobErrors.tooManyInvalid(
            m.label(),
            n,
            rowsIn,
            spec.maxInvalidFractionOrDefault(),
            count + " unparsable, first: " + text(unparsable.limit(1).collectAsList().get(0)));
      }
    }
    info.put("rows_in", rowsIn);
    info.putPOJO("invalid", invalid);
    info.put("unparsable", count);
    if (spec.onInvalidOrDefault() != OnInvalid.QUARANTINE) {
      return quarantine;
    }
    Timestamp at =
        Timestamp.from(Instant.EPOCH.plus(startMicros, java.time.temporal.ChronoUnit.MICROS));
    java.sql.Date date = java.sql.Date.valueOf(ds);
    List<String> fields = java.util.Arrays.asList(unparsable.columns());
    int[] keyAt = keys.stream().mapToInt(k -> fields.indexOf(k.name())).toArray();
    int textAt = fields.indexOf(InputSource.UNPARSABLE_COLUMN);
    String[][] versions =
        spec.models().stream()
            .map(m -> new String[] {m.name(), m.version()})
            .toArray(String[][]::new);
    // Through the rows of every scored column, so the reader parses what the scoring scan parses
    // (a projection of the key and text alone would find no row unparsable).
    org.apache.spark.api.java.JavaRDD<Row> rows =
        unparsable
            .javaRDD()
            .flatMap(
                r -> {
                  String text = r.getString(textAt);
                  if (text.length() > VALUE_CHARS) {
                    text = text.substring(0, VALUE_CHARS);
                  }
                  List<Row> out = new ArrayList<>(versions.length);
                  for (String[] v : versions) {
                    Object[] values = new Object[keyAt.length + 8];
                    for (int i = 0; i < keyAt.length; i++) {
                      values[i] = r.get(keyAt[i]);
                    }
                    int i = keyAt.length;
                    values[i++] = v[0];
                    values[i++] = v[1];
                    values[i++] = REASON;
                    values[i++] = InputSource.UNPARSABLE_COLUMN;
                    values[i++] = text;
                    values[i++] = runId;
                    values[i++] = date;
                    values[i] = at;
                    out.add(org.apache.spark.sql.RowFactory.create(values));
                  }
                  return out.iterator();
                });
    // the quarantine table's exact schema: its names, nullability and comments
    Dataset<Row> typed = spark.createDataFrame(rows, QuarantineSchema.of(keys));
    return quarantine == null ? typed : quarantine.unionByName(typed);
  }

  /**
   * The rows of {@link #of}, counted through its rows: {@code Dataset.count()} would let Spark
   * prune every column from the scan, and a CSV or JSON reader that parses no column finds no row
   * unparsable.
   */
  static long count(Dataset<Row> unparsable) {
    return unparsable.javaRDD().count();
  }

  private static String text(Row r) {
    String t = r.getAs(InputSource.UNPARSABLE_COLUMN);
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }
}
