package dev.inferlake.reports.internal;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.inferlake.reports.EmbeddingComparison;
import dev.inferlake.reports.EmbeddingSimilarity;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * Gathers, on the cluster, what {@link EmbeddingSimilarity} needs to compare two versions' {@code
 * embedding} columns: the two versions joined on the key columns, each key's cosine similarity
 * binned (only counts reach the driver), and the embeddings of a deterministic sample of keys: the
 * {@value EmbeddingSimilarity#SAMPLE} keys both versions embedded with the smallest {@code
 * xxhash64} of the key columns (ties by the keys), the same sample on every run.
 */
public final class Embeddings {
  private static final String A = "__emb_a";
  private static final String B = "__emb_b";

  private Embeddings() {}

  /**
   * Compares version {@code other}'s embeddings with {@code baseline}'s.
   *
   * @param preds the date's prediction rows, with an {@code embedding} column
   * @param keys the key columns
   * @param baseline {@code name:version} of the baseline
   * @param other {@code name:version} of the version compared
   * @return the comparison, or null when no key has an embedding from both
   */
  public static EmbeddingComparison compare(
      Dataset<Row> preds, List<String> keys, String baseline, String other) {
    Column label = functions.concat_ws(":", col("model_name"), col("model_version"));
    Dataset<Row> a = side(preds, keys, label, baseline, A);
    Dataset<Row> b = side(preds, keys, label, other, B);
    Dataset<Row> pair =
        a.join(b, scala.collection.JavaConverters.asScalaBuffer(keys).toSeq())
            .withColumn("__same", functions.size(col(A)).equalTo(functions.size(col(B))))
            .withColumn("__cos", cosine())
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row totals =
          pair.agg(
                  count(lit(1)),
                  sum(when(col("__same"), 0).otherwise(1)),
                  functions.min(functions.size(col(A))),
                  functions.max(functions.size(col(B))))
              .head();
      long keysBoth = totals.getLong(0);
      if (keysBoth == 0) {
        return null;
      }
      EmbeddingSimilarity.Cosine cosine = null;
      String note = null;
      if (totals.getLong(1) > 0) {
        note =
            String.format(
                "embeddings of %s and %s differ in width (%d and %d): no cosine similarity,"
                    + " only nearest-neighbour overlap",
                baseline, other, totals.getInt(2), totals.getInt(3));
      } else {
        long[] bins = new long[EmbeddingSimilarity.COSINE_BINS];
        Column bin =
            functions
                .least(
                    functions.greatest(
                        functions.floor(
                            col("__cos").plus(1).multiply(EmbeddingSimilarity.COSINE_BINS / 2)),
                        lit(0)),
                    lit(EmbeddingSimilarity.COSINE_BINS - 1))
                .cast("int");
        Dataset<Row> finite = pair.where(col("__cos").isNotNull());
        double total = 0;
        for (Row r :
            finite.groupBy(bin.as("b")).agg(count(lit(1)), sum(col("__cos"))).collectAsList()) {
          bins[r.getInt(0)] += r.getLong(1);
          total += r.getDouble(2);
        }
        cosine = EmbeddingSimilarity.Cosine.of(bins, total);
      }
      List<Column> order = new ArrayList<>();
      order.add(functions.xxhash64(keys.stream().map(functions::col).toArray(Column[]::new)));
      keys.forEach(k -> order.add(col(k)));
      List<Row> sample =
          pair.orderBy(order.toArray(Column[]::new))
              .limit(EmbeddingSimilarity.SAMPLE)
              .select(col(A), col(B))
              .collectAsList();
      float[][] sa = new float[sample.size()][];
      float[][] sb = new float[sample.size()][];
      for (int i = 0; i < sample.size(); i++) {
        sa[i] = floats(sample.get(i).getList(0));
        sb[i] = floats(sample.get(i).getList(1));
      }
      return new EmbeddingComparison(
          keysBoth,
          cosine,
          sample.size(),
          EmbeddingSimilarity.NEIGHBOURS,
          EmbeddingSimilarity.neighbourOverlap(sa, sb, EmbeddingSimilarity.NEIGHBOURS),
          note);
    } finally {
      pair.unpersist();
    }
  }

  private static Dataset<Row> side(
      Dataset<Row> preds, List<String> keys, Column label, String version, String as) {
    List<Column> cols = new ArrayList<>();
    keys.forEach(k -> cols.add(col(k)));
    cols.add(col("embedding").cast("array<float>").as(as));
    return preds
        .where(label.equalTo(version).and(col("embedding").isNotNull()))
        .where(expr("forall(embedding, x -> x IS NOT NULL)"))
        .select(cols.toArray(Column[]::new));
  }

  /**
   * Each key's cosine in double precision, summed in element order; null when either vector is all
   * zeros or their widths differ.
   */
  private static Column cosine() {
    String dot =
        "aggregate(zip_with("
            + A
            + ", "
            + B
            + ", (x, y) -> CAST(x AS DOUBLE) * CAST(y AS DOUBLE)),"
            + " CAST(0 AS DOUBLE), (s, v) -> s + v)";
    return expr(
        "CASE WHEN size("
            + A
            + ") = size("
            + B
            + ") AND "
            + norm(A)
            + " > 0 AND "
            + norm(B)
            + " > 0 THEN "
            + dot
            + " / sqrt("
            + norm(A)
            + " * "
            + norm(B)
            + ") END");
  }

  private static String norm(String c) {
    return "aggregate("
        + c
        + ", CAST(0 AS DOUBLE), (s, x) -> s + CAST(x AS DOUBLE) * CAST(x AS DOUBLE))";
  }

  private static float[] floats(List<Object> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) values.get(i)).floatValue();
    }
    return out;
  }
}
