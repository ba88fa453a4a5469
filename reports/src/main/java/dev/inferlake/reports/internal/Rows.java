package dev.inferlake.reports.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Conversions between Spark's external row values and the report's plain types. */
public final class Rows {
  private Rows() {}

  public static java.sql.Timestamp timestamp(Instant i) {
    return i == null ? null : java.sql.Timestamp.from(i);
  }

  public static Instant instant(Object v) {
    if (v == null) {
      return null;
    }
    return v instanceof java.sql.Timestamp t ? t.toInstant() : (Instant) v;
  }

  public static LocalDate date(Object v) {
    if (v == null) {
      return null;
    }
    return v instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) v;
  }

  /** Null for NaN or infinite values, which SQL readers cannot compare. */
  public static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  public static Long longOrNull(Row r, String column) {
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? null : ((Number) r.get(i)).longValue();
  }

  /** The column's value, NaN when null. */
  public static double doubleOr(Row r, String column) {
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
  }

  public static List<List<Long>> matrix(long[][] m) {
    List<List<Long>> out = new ArrayList<>();
    for (long[] row : m) {
      List<Long> l = new ArrayList<>();
      for (long v : row) {
        l.add(v);
      }
      out.add(l);
    }
    return out;
  }

  public static long[][] matrix(List<?> rows) {
    long[][] out = new long[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      Object row = rows.get(i);
      List<?> l =
          row instanceof scala.collection.Seq<?> s
              ? scala.collection.JavaConverters.seqAsJavaList(s)
              : (List<?>) row;
      out[i] = l.stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }
    return out;
  }

  /** Whether {@code path} holds a Delta table. */
  public static boolean isDeltaTable(SparkSession spark, String path) {
    return io.delta.tables.DeltaTable.isDeltaTable(spark, path);
  }

  /** Whether a Delta commit lost a race with another (anywhere in the cause chain). */
  public static boolean isConcurrentModification(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.ConcurrentModificationException) {
        return true;
      }
    }
    return false;
  }
}
