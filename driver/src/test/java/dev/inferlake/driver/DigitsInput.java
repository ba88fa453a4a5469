package dev.inferlake.driver;

import dev.inferlake.model.testing.Digits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** The 450 held-out digits as a job reads them: Parquet with id, label and p00..p63 as doubles. */
final class DigitsInput {
  private DigitsInput() {}

  /**
   * Writes the held-out rows to {@code path}.
   *
   * @return the pixel columns, for a job spec's feature list
   */
  static List<String> write(SparkSession spark, Path path) {
    List<String> cols = new ArrayList<>();
    cols.add("CAST(id AS BIGINT) AS id");
    cols.add("CAST(label AS INT) AS label");
    List<String> pixels = new ArrayList<>();
    for (int i = 0; i < Digits.PIXELS; i++) {
      String p = String.format("p%02d", i);
      cols.add("CAST(" + p + " AS DOUBLE) AS " + p);
      pixels.add(p);
    }
    spark
        .read()
        .option("header", "true")
        .csv(Digits.csvFile().toString())
        .where("split = 'test'")
        .selectExpr(cols.toArray(new String[0]))
        .write()
        .parquet(path.toString());
    return pixels;
  }
}
