package dev.inferlake.driver.demo;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The demo's labelled tabular dataset: {@code id}, 16 Gaussian features {@code f00..f15} and a
 * binary {@code label} from a rule with two feature interactions plus noise (so a factorization
 * machine can beat a linear model). Deterministic for a given row count and seed.
 */
public final class DemoData {
  public static final int FEATURES = 16;
  public static final long SEED = 20261123L;

  private DemoData() {}

  public static List<String> featureNames() {
    List<String> names = new ArrayList<>();
    for (int j = 0; j < FEATURES; j++) {
      names.add(String.format(Locale.ROOT, "f%02d", j));
    }
    return names;
  }

  /** Writes {@code rows} rows as Parquet to {@code path}, replacing what is there. */
  public static void write(SparkSession spark, String path, long rows) {
    int slices = (int) Math.max(1, Math.min(64, (rows + 249_999) / 250_000));
    Dataset<Row> df = spark.range(0, rows, 1, slices).toDF();
    List<String> names = featureNames();
    for (int j = 0; j < FEATURES; j++) {
      df = df.withColumn(names.get(j), randn(SEED + j));
    }
    Column logit = lit(0.0);
    double[] w = {
      1.2, -0.8, 0.5, 0.3, -0.4, 0.2, 0.0, 0.1, -0.2, 0.0, 0.15, -0.1, 0.0, 0.05, 0.0, 0.0
    };
    for (int j = 0; j < FEATURES; j++) {
      logit = logit.plus(col(names.get(j)).multiply(w[j]));
    }
    logit =
        logit
            .plus(col("f05").multiply(col("f06")).multiply(1.5))
            .minus(col("f07").multiply(col("f08")).multiply(1.0))
            .plus(randn(SEED + 99).multiply(0.5));
    df.withColumn("label", when(logit.gt(0), 1).otherwise(0))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(path);
  }

  /**
   * Reads the feature columns of a Parquet dataset into one row-major float array, in the dataset's
   * order, for loops that run outside Spark.
   */
  public static float[] readFeatures(SparkSession spark, String path, List<String> columns) {
    Dataset<Row> df =
        spark
            .read()
            .parquet(path)
            .select(
                columns.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
    int n = columns.size();
    JavaRDD<float[]> chunks =
        df.queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(
                (java.util.Iterator<InternalRow> it) -> {
                  float[] buf = new float[n * 1024];
                  int size = 0;
                  while (it.hasNext()) {
                    InternalRow r = it.next();
                    if (size + n > buf.length) {
                      buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    }
                    for (int j = 0; j < n; j++) {
                      buf[size++] = (float) r.getDouble(j);
                    }
                  }
                  return Collections.singletonList(java.util.Arrays.copyOf(buf, size)).iterator();
                });
    List<float[]> parts = chunks.collect();
    int total = parts.stream().mapToInt(a -> a.length).sum();
    float[] all = new float[total];
    int off = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, off, p.length);
      off += p.length;
    }
    return all;
  }
}
