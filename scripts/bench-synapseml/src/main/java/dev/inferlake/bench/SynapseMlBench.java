package dev.inferlake.bench;

import com.microsoft.azure.synapse.ml.onnx.ONNXModel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * Times SynapseML's ONNXModel over a Parquet dataset ({@code id}, {@code features}) on local Spark,
 * all cores, and prints one result line for {@code scripts/bench scoring}.
 *
 * <p>Arguments: data folder, model file, the model's input name, mini-batch size (0: its default).
 */
public final class SynapseMlBench {
  private SynapseMlBench() {}

  private static scala.collection.immutable.Map<String, String> map(String k, String v) {
    return JavaConverters.mapAsScalaMapConverter(Map.of(k, v))
        .asScala()
        .toMap(scala.Predef.$conforms());
  }

  public static void main(String[] args) throws Exception {
    String data = args[0];
    byte[] model = Files.readAllBytes(Path.of(args[1]));
    String input = args[2];
    int batch = Integer.parseInt(args[3]);
    SparkSession spark =
        SparkSession.builder()
            .master("local[*]")
            .appName("synapseml bench")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    Dataset<Row> df = spark.read().parquet(data);
    // Scala's this.type setters return their trait to Java: call them one by one.
    ONNXModel onnx = new ONNXModel();
    onnx.setModelPayload(model);
    onnx.setFeedDict(map(input, "features"));
    // the model's first output, and its argmax as the prediction, as inferlake stores them
    String output = onnx.modelOutput().keys().head();
    onnx.setFetchDict(map("probabilities", output));
    onnx.setArgMaxDict(map("probabilities", "prediction"));
    if (batch > 0) {
      onnx.setMiniBatchSize(batch);
    }
    long rows = df.count();
    long t0 = System.nanoTime();
    onnx.transform(df)
        .select("id", "prediction", "probabilities")
        .write()
        .format("noop")
        .mode(SaveMode.Overwrite)
        .save();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long heap = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        heap += p.getPeakUsage().getUsed();
      }
    }
    long rss = 0;
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmHWM:")) {
        rss = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    System.out.println(
        String.format(
            Locale.ROOT,
            "INFERLAKE-BENCH {\"rows\":%d,\"seconds\":%.4f,\"peak_rss\":%d,\"peak_heap\":%d,"
                + "\"mini_batch\":%d}",
            rows,
            seconds,
            rss,
            heap,
            onnx.getMiniBatchSize()));
    spark.stop();
  }
}
