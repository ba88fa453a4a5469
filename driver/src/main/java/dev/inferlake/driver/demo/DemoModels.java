package dev.inferlake.driver.demo;

import java.time.OffsetDateTime;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains the demo's two model versions with Tribuo on the first rows of the demo dataset and
 * exports them to ONNX: a logistic regression and a factorization machine.
 */
public final class DemoModels {
  /** A trained, exported model. {@code positiveIndex} is the output column of label "1". */
  public record Trained(String version, byte[] onnx, double holdoutAccuracy, int positiveIndex) {}

  private DemoModels() {}

  /**
   * Trains on rows {@code id < trainRows} and measures accuracy on the next {@code holdoutRows}.
   */
  public static List<Trained> train(
      SparkSession spark, String path, int trainRows, int holdoutRows) {
    List<String> names = DemoData.featureNames();
    MutableDataset<Label> train = dataset(spark, path, names, 0, trainRows);
    MutableDataset<Label> holdout = dataset(spark, path, names, trainRows, trainRows + holdoutRows);
    Trainer<Label> lr = new LogisticRegressionTrainer();
    Trainer<Label> fm =
        new FMClassificationTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), 5, 1L, 4, 0.1);
    return List.of(
        export("lr-1", lr.train(train), holdout), export("fm-1", fm.train(train), holdout));
  }

  private static Trained export(String version, Model<Label> model, MutableDataset<Label> holdout) {
    long correct = 0;
    for (var ex : holdout) {
      if (model.predict(ex).getOutput().getLabel().equals(ex.getOutput().getLabel())) {
        correct++;
      }
    }
    byte[] onnx = ((ONNXExportable) model).exportONNXModel("dev.inferlake.demo", 1L).toByteArray();
    int positive = model.getOutputIDInfo().getID(new Label("1"));
    return new Trained(
        version,
        onnx,
        holdout.size() == 0 ? Double.NaN : (double) correct / holdout.size(),
        positive);
  }

  private static MutableDataset<Label> dataset(
      SparkSession spark, String path, List<String> names, long from, long to) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> ds =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("inferlake demo " + path, OffsetDateTime.now(), factory),
            factory);
    String[] featureNames = names.toArray(new String[0]);
    List<Row> rows =
        spark
            .read()
            .parquet(path)
            .where("id >= " + from + " AND id < " + to)
            .orderBy("id")
            .select(
                org.apache.spark.sql.functions.col("label"),
                org.apache.spark.sql.functions.array(
                    names.stream()
                        .map(org.apache.spark.sql.functions::col)
                        .toArray(org.apache.spark.sql.Column[]::new)))
            .collectAsList();
    for (Row r : rows) {
      List<Double> v = r.getList(1);
      double[] values = new double[v.size()];
      for (int j = 0; j < values.length; j++) {
        values[j] = v.get(j);
      }
      ds.add(new ArrayExample<>(new Label(String.valueOf(r.getInt(0))), featureNames, values));
    }
    return ds;
  }
}
