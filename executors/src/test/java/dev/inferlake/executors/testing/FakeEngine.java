package dev.inferlake.executors.testing;

import dev.inferlake.executors.Engine;
import dev.inferlake.executors.Runner;
import dev.inferlake.executors.RunnerOptions;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.ModelSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Engine} that makes {@link FakeRunner}s over the signature it is given, loading nothing
 * native. Records every load (the model bytes' digest, or the file), and fails loudly with an
 * {@link AssertionError} on a load it should never see: empty bytes, a file when it does not load
 * from files, a file that is not there.
 */
public final class FakeEngine implements Engine {

  /**
   * One load.
   *
   * @param label the model, as messages name it
   * @param source {@code sha256:...} of the bytes loaded, or {@code file:NAME} for a file
   * @param runner the runner made
   */
  public record Load(String label, String source, RunnerOptions options, FakeRunner runner) {}

  private final String name;
  private final boolean fromFile;
  private final List<Load> loads = new ArrayList<>();

  /**
   * @param name the engine's name in messages
   * @param loadsFromFile whether it asks for models as files (as ONNX Runtime does)
   */
  public FakeEngine(String name, boolean loadsFromFile) {
    this.name = Objects.requireNonNull(name, "name");
    this.fromFile = loadsFromFile;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean loadsFromFile() {
    return fromFile;
  }

  @Override
  public synchronized Runner load(
      byte[] model, ModelSignature signature, String label, RunnerOptions options) {
    if (model == null || model.length == 0) {
      throw new AssertionError(name + " asked to load no bytes for " + label);
    }
    return record(label, ModelDigest.sha256(model), signature, options);
  }

  @Override
  public synchronized Runner load(
      Path file, ModelSignature signature, String label, RunnerOptions options) {
    if (!fromFile) {
      throw new AssertionError(name + " does not load from files, but was asked for " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw new AssertionError(name + " asked to load " + file + ", which is not there");
    }
    return record(label, "file:" + file.getFileName(), signature, options);
  }

  private FakeRunner record(
      String label, String source, ModelSignature signature, RunnerOptions options) {
    FakeRunner r = new FakeRunner(Objects.requireNonNull(signature, "signature"));
    loads.add(new Load(label, source, options, r));
    return r;
  }

  /** Every load so far, in order. */
  public synchronized List<Load> loads() {
    return List.copyOf(loads);
  }
}
