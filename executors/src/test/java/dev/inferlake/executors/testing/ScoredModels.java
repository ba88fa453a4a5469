package dev.inferlake.executors.testing;

import dev.inferlake.executors.InputBinding;
import dev.inferlake.executors.ScoredModel;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import dev.inferlake.model.TensorSpec;
import dev.inferlake.model.TorchScriptReader;
import dev.inferlake.model.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.types.StructType;

/**
 * {@link ScoredModel}s for tests: real packages (manifest, digest-checked payload) of small models,
 * bound to columns, built in memory. Pair them with {@link FakeRunner}s to score without a native
 * engine, or with the real engines.
 */
public final class ScoredModels {
  private ScoredModels() {}

  /**
   * A linear ONNX model ({@link TestModels#linear}: input {@code input} float[-1, features], output
   * of {@code width} values) packed as {@code name:version} and bound to {@code columns}.
   */
  public static ScoredModel linear(
      String name,
      String version,
      int features,
      int width,
      long seed,
      StructType schema,
      List<String> columns) {
    TestModels.LinearModel lm = TestModels.linear(features, width, seed);
    return packed(lm.onnxBytes(), name, version, lm.outputName(), schema, List.of(columns));
  }

  /**
   * Packs a raw model as {@code name:version} and binds its inputs, in signature order, to the
   * given columns; the source hands out the payload.
   */
  public static ScoredModel packed(
      byte[] raw,
      String name,
      String version,
      String outputName,
      StructType schema,
      List<List<String>> columnsPerInput) {
    ModelPackage.Packed p = ModelPackage.pack(raw, name, version, null, null, null, Instant.EPOCH);
    ModelManifest m = p.manifest();
    List<TensorSpec> inputs = m.modelSignature().inputs();
    if (inputs.size() != columnsPerInput.size()) {
      throw new AssertionError(inputs.size() + " inputs, " + columnsPerInput.size() + " bound");
    }
    List<InputBinding> bindings = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      bindings.add(InputBinding.bind(inputs.get(i), columnsPerInput.get(i), schema, m.label()));
    }
    TensorSpec out =
        m.modelSignature()
            .output(outputName)
            .orElseThrow(() -> new AssertionError("no output " + outputName));
    byte[] payload = p.payload();
    return new ScoredModel(
        m,
        bindings,
        outputName,
        (int) out.elementsPerRow(),
        () -> payload.clone(),
        ModelDigest.sha256(payload),
        null);
  }

  /**
   * An archive laid out as {@code torch.jit.save} writes one (one folder with {@code code/}, {@code
   * data.pkl}, {@code constants.pkl}) and carrying {@code signatureJson} as its {@value
   * TorchScriptReader#SIGNATURE}, but no module libtorch could run: {@link
   * dev.inferlake.model.ModelFormat#detect} takes it for TorchScript, for tests of engine choice
   * over a fake engine.
   */
  public static byte[] torchScriptShaped(String signatureJson) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      entry(zip, "m/code/__torch__.py", "# not a module");
      entry(zip, "m/data.pkl", "not a pickle");
      entry(zip, "m/constants.pkl", "not a pickle");
      entry(zip, "m/extra/" + TorchScriptReader.SIGNATURE, signatureJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void entry(ZipOutputStream zip, String name, String content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }
}
