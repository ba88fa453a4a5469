package dev.inferlake.driver.cli;

import ai.onnx.proto.OnnxMl;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import dev.inferlake.driver.job.JobErrors;
import dev.inferlake.driver.registry.ModelRegistry;
import dev.inferlake.driver.registry.OnnxLoadCheck;
import dev.inferlake.driver.registry.RegistryErrors;
import dev.inferlake.model.ModelKeys;
import dev.inferlake.model.ModelManifest;
import dev.inferlake.model.ModelPackage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code inferlake model ...}: the model registry. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Register, compress, list, inspect and sign model versions in a registry folder.",
    subcommands = {
      ModelCommand.Register.class,
      ModelCommand.Compress.class,
      ModelCommand.ListVersions.class,
      ModelCommand.Inspect.class,
      ModelCommand.Sign.class,
      ModelCommand.Keygen.class
    })
public final class ModelCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--registry",
      paramLabel = "URI",
      defaultValue = "${env:INFERLAKE_REGISTRY}",
      description = "Registry folder, any Hadoop URI (default: $INFERLAKE_REGISTRY).",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String registry;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  ModelRegistry registry(picocli.CommandLine cl) {
    if (registry == null || registry.isBlank()) {
      throw new picocli.CommandLine.ParameterException(
          cl, "--registry is required (or set INFERLAKE_REGISTRY)");
    }
    return new ModelRegistry(registry, new Configuration());
  }

  static String[] ref(String ref) {
    String[] parts = ref.split(":", -1);
    if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
      throw JobErrors.badModelRef(ref);
    }
    return parts;
  }

  /** An encryption key, from a file or an environment variable. */
  static final class KeyOptions {
    @Option(names = "--key-file", paramLabel = "FILE", description = "Tink AES-GCM keyset file.")
    Path file;

    @Option(
        names = "--key-env",
        paramLabel = "VAR",
        description = "Environment variable holding the keyset JSON.")
    String env;

    Aead aead() {
      KeysetHandle h = file != null ? ModelKeys.fromFile(file) : ModelKeys.fromEnv(env);
      return ModelKeys.aead(h, file != null ? "file " + file : "environment variable " + env);
    }
  }

  @Command(
      name = "register",
      description =
          "Packs an ONNX model (zstd, optionally encrypted and signed) into the registry.")
  static final class Register implements Callable<Integer> {
    @ParentCommand ModelCommand parent;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    // --version names the model version here, so only --help comes from picocli's standard
    // options (their --version would take the name, and --help then failed on missing options).
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--name", required = true)
    String name;

    @Option(names = "--version", required = true)
    String version;

    @Option(
        names = "--lineage",
        paramLabel = "VERSION",
        description = "The version this one derives from.")
    String lineage;

    @ArgGroup(exclusive = true, heading = "Encryption at rest (AES-256-GCM):%n")
    KeyOptions encrypt;

    @Option(
        names = "--sign-key",
        paramLabel = "FILE",
        description = "Sign with this Ed25519 keyset.")
    Path signKey;

    @Option(
        names = "--vocab-size",
        paramLabel = "INPUT=N",
        description =
            "Ids of integer input INPUT lie in 0..N-1; a row holding another is a bad row"
                + " (out_of_range). Repeatable.")
    Map<String, Long> vocabSizes = new TreeMap<>();

    @Parameters(paramLabel = "FILE", description = "The model file (ONNX).")
    Path file;

    @Option(
        names = "--task",
        paramLabel = "KIND",
        description =
            "What the model's output means: classifier, binary, multilabel, regressor, embedding"
                + " or raw (default: classifier when it holds several values per row, else"
                + " regressor). A job's task overrides it.")
    String task;

    @Option(
        names = "--task-output",
        paramLabel = "OUTPUT",
        description = "The model output the task reads (default: the first).")
    String taskOutput;

    @Option(
        names = "--class-names",
        paramLabel = "NAMES",
        split = ",",
        description = "Class (or label) names, comma-separated; binary: the names of 0 and 1.")
    java.util.List<String> classNames;

    @Option(
        names = "--threshold",
        paramLabel = "P",
        description = "binary/multilabel: a probability at or above it predicts 1 (default 0.5).")
    Double threshold;

    @Option(
        names = "--logits",
        description = "binary/multilabel: the output holds logits; sigmoid is applied first.")
    Boolean logits;

    @Option(
        names = "--normalize",
        paramLabel = "l2",
        description = "embedding: scale each vector to unit L2 length.")
    String normalize;

    @Option(
        names = "--tokenizer",
        paramLabel = "FILE",
        description =
            "A HuggingFace tokenizer.json to store in the package, for text models: it is loaded"
                + " and checked against the model's int64 inputs before anything is written.")
    Path tokenizer;

    @Option(
        names = "--max-length",
        paramLabel = "N",
        description =
            "With --tokenizer: the longest row of token ids, special tokens included; longer"
                + " texts are truncated (default: 512).")
    Integer maxLength;

    @Option(
        names = "--truncation",
        paramLabel = "SIDE",
        description =
            "With --tokenizer: right (drop the end of a long text, default) or left (drop its"
                + " start).")
    String truncation;

    @Option(
        names = "--text-input",
        paramLabel = "ROLE=INPUT",
        split = ",",
        description =
            "With --tokenizer: which model input receives input_ids, attention_mask,"
                + " token_type_ids (default: the int64 input of the same name, where there is"
                + " one). Repeatable or comma-separated.")
    Map<String, String> textInputs = new TreeMap<>();

    @Option(
        names = "--image-resize",
        paramLabel = "N",
        description =
            "Image models: pictures are resized (bilinear, antialiased as PIL) so their shorter"
                + " side is N, then centre-cropped to the input's height and width (default: the"
                + " larger of the two). Any --image-* option declares image preprocessing.")
    Integer imageResize;

    @Option(
        names = "--image-input",
        paramLabel = "INPUT",
        description = "Image models: the float input pictures feed (default: the only rank-4 one).")
    String imageInput;

    @Option(
        names = "--image-channels",
        paramLabel = "rgb|grey",
        description = "Image models: rgb or grey (default: from the input's channel dimension).")
    String imageChannels;

    @Option(
        names = "--image-layout",
        paramLabel = "nchw|nhwc",
        description =
            "Image models: where the input's channel dimension is (default: nchw when its second"
                + " dimension is 1 or 3, else nhwc).")
    String imageLayout;

    @Option(
        names = "--image-scale",
        paramLabel = "S",
        description = "Image models: each 0..255 value is multiplied by S (default: 1/255).")
    Double imageScale;

    @Option(
        names = "--image-mean",
        paramLabel = "M",
        split = ",",
        description = "Image models: per-channel mean subtracted after scaling (default: 0).")
    java.util.List<Double> imageMean;

    @Option(
        names = "--image-std",
        paramLabel = "S",
        split = ",",
        description = "Image models: per-channel std divided by after the mean (default: 1).")
    java.util.List<Double> imageStd;

    /**
     * The image preprocessing the options declare for a model of signature {@code sig}, defaults
     * filled in; null when no {@code --image-*} option is given.
     */
    private ModelManifest.Image imagePreprocessing(dev.inferlake.model.ModelSignature sig) {
      if (imageResize == null
          && imageInput == null
          && imageChannels == null
          && imageLayout == null
          && imageScale == null
          && imageMean == null
          && imageStd == null) {
        return null;
      }
      String input = imageInput;
      if (input == null) {
        java.util.List<dev.inferlake.model.TensorSpec> rank4 =
            sig.inputs().stream().filter(t -> t.shape().length == 4).toList();
        if (rank4.size() != 1) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              "--image-input is needed: the model has "
                  + rank4.size()
                  + " rank-4 inputs ("
                  + sig.inputs()
                  + ")");
        }
        input = rank4.get(0).name();
      }
      String in = input;
      long[] shape =
          sig.inputs().stream()
              .filter(t -> t.name().equals(in))
              .findFirst()
              .map(dev.inferlake.model.TensorSpec::shape)
              .orElse(new long[] {-1, 3, 1, 1});
      String layout = imageLayout;
      if (layout == null) {
        layout =
            shape.length == 4 && (shape[1] == 1 || shape[1] == 3)
                ? ModelManifest.Image.NCHW
                : ModelManifest.Image.NHWC;
      }
      long c =
          shape.length != 4 ? 3 : ModelManifest.Image.NCHW.equals(layout) ? shape[1] : shape[3];
      String channels =
          imageChannels != null
              ? imageChannels
              : c == 1 ? ModelManifest.Image.GREY : ModelManifest.Image.RGB;
      int n = ModelManifest.Image.GREY.equals(channels) ? 1 : 3;
      int resize = imageResize != null ? imageResize : 0;
      if (imageResize == null && shape.length == 4) {
        int[] crop =
            new ModelManifest.Image(input, channels, layout, 0, null, 0, null, null).cropOf(shape);
        resize = Math.max(crop[0], crop[1]);
      }
      return new ModelManifest.Image(
          input,
          channels,
          layout,
          resize,
          ModelManifest.Image.BILINEAR,
          imageScale == null ? 1.0 / 255 : imageScale,
          imageMean == null
              ? java.util.Collections.nCopies(n, 0.0)
              : java.util.List.copyOf(imageMean),
          imageStd == null
              ? java.util.Collections.nCopies(n, 1.0)
              : java.util.List.copyOf(imageStd));
    }

    private boolean hasImageOptions() {
      return imageResize != null
          || imageInput != null
          || imageChannels != null
          || imageLayout != null
          || imageScale != null
          || imageMean != null
          || imageStd != null;
    }

    /** The tokenizer to store, checked for usage; null when none is given. */
    private ModelRegistry.TokenizerRequest tokenizerRequest() throws IOException {
      String bad = null;
      dev.inferlake.executors.TextTokenizer.Truncation side =
          dev.inferlake.executors.TextTokenizer.Truncation.parse(
              truncation == null ? "right" : truncation);
      if (tokenizer == null) {
        if (maxLength != null || truncation != null || !textInputs.isEmpty()) {
          bad = "--max-length, --truncation and --text-input need --tokenizer";
        }
      } else if (maxLength != null && maxLength < 1) {
        bad = "--max-length is " + maxLength + "; expected at least 1";
      } else if (side == null) {
        bad = "--truncation is '" + truncation + "'; expected right or left";
      } else if (!ModelManifest.Tokenizer.ROLES.containsAll(textInputs.keySet())) {
        bad =
            "--text-input names "
                + textInputs.keySet()
                + "; a tokenizer produces "
                + ModelManifest.Tokenizer.ROLES;
      }
      if (bad != null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), bad);
      }
      if (tokenizer == null) {
        return null;
      }
      byte[] json;
      try {
        json = Files.readAllBytes(tokenizer);
      } catch (java.nio.file.NoSuchFileException e) {
        throw RegistryErrors.modelUnreadable(
            name + ":" + version, tokenizer.toString(), "no such tokenizer file", e);
      }
      return new ModelRegistry.TokenizerRequest(
          json, maxLength == null ? 512 : maxLength, side, textInputs);
    }

    /** An int64 input named input_ids with a dynamic token dimension: a text encoder's. */
    private static boolean looksLikeText(ModelManifest m) {
      return m.inputs().stream()
          .anyMatch(
              i ->
                  i.name().equals(ModelManifest.Tokenizer.INPUT_IDS)
                      && "int64".equals(i.type())
                      && Arrays.equals(i.shape(), new long[] {-1, -1}));
    }

    /** The declared task, checked as a job's would be; null when none is declared. */
    private ModelManifest.Task declaredTask() {
      if (task == null
          && taskOutput == null
          && classNames == null
          && threshold == null
          && logits == null
          && normalize == null) {
        return null;
      }
      String bad = null;
      if (task != null && dev.inferlake.executors.Task.Kind.parse(task) == null) {
        bad =
            "--task is '"
                + task
                + "'; expected one of "
                + dev.inferlake.executors.Task.Kind.names();
      } else if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
        bad = "--threshold is " + threshold + "; expected a probability from 0 to 1";
      } else if (normalize != null && !normalize.equals("l2")) {
        bad = "--normalize is '" + normalize + "'; expected l2";
      } else if (classNames != null && classNames.stream().anyMatch(String::isBlank)) {
        bad = "--class-names has an empty name: " + classNames;
      }
      if (bad != null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), bad);
      }
      return new ModelManifest.Task(task, taskOutput, classNames, threshold, logits, normalize);
    }

    @Override
    public Integer call() throws IOException {
      ModelRegistry r = parent.registry(spec.commandLine());
      ModelManifest.Task declared = declaredTask();
      ModelRegistry.TokenizerRequest text = tokenizerRequest();
      byte[] raw;
      try {
        raw = Files.readAllBytes(file);
      } catch (java.nio.file.NoSuchFileException e) {
        throw RegistryErrors.modelUnreadable(
            name + ":" + version, file.toString(), "no such file", e);
      }
      ModelManifest.Image image = null;
      if (declared != null || hasImageOptions()) {
        // refused before anything is written, as a job would refuse it
        String what = "model '" + name + ":" + version + "'";
        dev.inferlake.model.ModelSignature sig =
            dev.inferlake.model.ModelFormat.detect(raw, what).signature(raw, what);
        image = imagePreprocessing(sig);
        ModelManifest bare =
            new ModelManifest(
                name,
                version,
                null,
                null,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                ModelManifest.tensors(sig.inputs()),
                ModelManifest.tensors(sig.outputs()),
                null,
                null,
                null);
        if (image != null) {
          bare.withImage(image);
        }
        if (declared != null) {
          dev.inferlake.driver.job.TaskBinding.ofPackage(bare.withTask(declared));
        }
      }
      ModelManifest m =
          r.register(
              name,
              version,
              raw,
              file.toAbsolutePath().getParent(),
              encrypt == null ? null : encrypt.aead(),
              lineage,
              vocabSizes,
              text,
              Clock.systemUTC());
      if (declared != null || image != null) {
        m = m.withTask(declared == null ? m.task() : declared).withImage(image);
        r.writeManifest(name, version, m);
      }
      if (signKey != null) {
        m = ModelKeys.sign(m, ModelKeys.fromFile(signKey));
        r.writeManifest(name, version, m);
      }
      if (m.tokenizer() == null && looksLikeText(m)) {
        spec.commandLine()
            .getErr()
            .printf(
                "note: model '%s' takes token ids (input_ids int64[-1, -1]) but carries no"
                    + " tokenizer; register it with --tokenizer tokenizer.json to score text%n",
                m.label());
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "registered %s at %s: %,d bytes raw, %,d packed (%s, encryption %s),"
                  + " %d external data file(s)%s%s%n",
              m.label(),
              r.folder(name, version),
              m.rawBytes(),
              m.packedBytes(),
              m.compression(),
              m.encryption(),
              m.filesOrEmpty().size(),
              m.tokenizer() == null
                  ? ""
                  : ", tokenizer " + m.tokenizer().kind() + " feeding " + m.tokenizer().inputs(),
              m.signature() == null ? "" : ", signed by key " + m.signature().keyId());
      return 0;
    }
  }

  @Command(
      name = "compress",
      mixinStandardHelpOptions = true,
      description = {
        "Registers a compressed version of a registered model: its ONNX graph rewritten, then"
            + " packed like any version. The manifest records the method, its parameters and the"
            + " source; the new version must load in ONNX Runtime before it is written.",
        "Methods:",
        "  int8-weights     int8 weights, dequantized in the graph (smallest package)",
        "  int8-dynamic[:B] int8 kernels, activations quantized per batch (CPU speed);",
        "                   B = weight bits: 7 (default, safe without VNNI) or 8",
        "  fp16             half-precision weights, cast to float in the graph",
        "  prune:F          zero the fraction F of smallest weights (zstd shrinks zeros)",
        "Measure the accuracy cost before you ship one: scripts/bench compression."
      })
  static final class Compress implements Callable<Integer> {
    @ParentCommand ModelCommand parent;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--from",
        required = true,
        paramLabel = "NAME:VERSION",
        description = "The registered version to compress.")
    String from;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "VERSION",
        description = "The new version (same model name).")
    String to;

    @Option(
        names = "--method",
        required = true,
        paramLabel = "METHOD",
        description = "int8-weights | int8-dynamic[:7|8] | fp16 | prune:FRACTION")
    String method;

    @ArgGroup(
        exclusive = true,
        heading = "Key of an encrypted source (the new version is encrypted with it too):%n")
    KeyOptions key;

    @Option(
        names = "--sign-key",
        paramLabel = "FILE",
        description = "Sign the new version with this Ed25519 keyset.")
    Path signKey;

    @Override
    public Integer call() {
      String[] nv = ref(from);
      dev.inferlake.model.CompressionMethod m = dev.inferlake.model.CompressionMethod.parse(method);
      ModelRegistry r = parent.registry(spec.commandLine());
      long t0 = System.nanoTime();
      ModelRegistry.Compression c =
          r.compress(
              nv[0],
              nv[1],
              to,
              m,
              key == null ? null : key.aead(),
              bytes -> OnnxLoadCheck.check(bytes, nv[0] + ":" + to),
              Clock.systemUTC());
      ModelManifest target = c.target();
      if (signKey != null) {
        target = ModelKeys.sign(target, ModelKeys.fromFile(signKey));
        r.writeManifest(nv[0], to, target);
      }
      PrintWriter out = spec.commandLine().getOut();
      ModelManifest src = c.source();
      out.printf(
          Locale.ROOT,
          "compressed %s -> %s with %s in %.1f s: %d weight tensor(s), %,d weights rewritten%n",
          src.label(),
          target.label(),
          m.spec(),
          (System.nanoTime() - t0) / 1e9,
          c.compressed().tensors(),
          c.compressed().weights());
      out.printf(
          Locale.ROOT,
          "  raw     %,13d -> %,13d bytes (%.1f%%)%n",
          src.rawBytes(),
          target.rawBytes(),
          100.0 * target.rawBytes() / src.rawBytes());
      out.printf(
          Locale.ROOT,
          "  packed  %,13d -> %,13d bytes (%.1f%%, %s, encryption %s)%n",
          src.packedBytes(),
          target.packedBytes(),
          100.0 * target.packedBytes() / src.packedBytes(),
          target.compression(),
          target.encryption());
      for (String left : c.compressed().left()) {
        out.printf("  left as it was: %s%n", left);
      }
      out.printf(
          "  loads in ONNX Runtime: yes; registered at %s%s%n",
          r.folder(nv[0], to),
          target.signature() == null ? "" : ", signed by key " + target.signature().keyId());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists registered versions.")
  static final class ListVersions implements Callable<Integer> {
    @ParentCommand ModelCommand parent;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "%-32s %12s %12s  %-10s %-8s %s%n",
          "MODEL",
          "RAW",
          "PACKED",
          "ENCRYPTION",
          "SIGNED",
          "DIGEST");
      for (ModelManifest m : parent.registry(spec.commandLine()).list()) {
        out.printf(
            Locale.ROOT,
            "%-32s %,12d %,12d  %-10s %-8s %s%n",
            m.label(),
            m.rawBytes(),
            m.packedBytes(),
            m.encryption(),
            m.signature() == null ? "no" : "yes",
            m.sha256());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Shows a version's manifest: signature, sizes, digest, lineage, and op counts.")
  static final class Inspect implements Callable<Integer> {
    @ParentCommand ModelCommand parent;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, heading = "Key for an encrypted model (to count ops):%n")
    KeyOptions key;

    @Parameters(paramLabel = "NAME:VERSION")
    String ref;

    @Override
    public Integer call() throws IOException {
      String[] nv = ref(ref);
      ModelRegistry r = parent.registry(spec.commandLine());
      ModelManifest m = r.manifest(nv[0], nv[1]);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("model      %s%n", m.label());
      out.printf("format     %s%n", m.format().specName());
      out.printf("digest     %s%n", m.sha256());
      out.printf(
          Locale.ROOT,
          "size       %,d bytes raw, %,d packed (%.1f%%, %s)%n",
          m.rawBytes(),
          m.packedBytes(),
          100.0 * m.packedBytes() / Math.max(1, m.rawBytes()),
          m.compression());
      out.printf("encryption %s%n", m.encryption());
      out.printf("lineage    %s%n", m.lineage() == null ? "-" : m.lineage());
      if (m.rewrite() != null) {
        out.printf(
            "rewrite    %s of %s (%s) %s%n",
            m.rewrite().method(),
            m.rewrite().source(),
            m.rewrite().sourceSha256(),
            m.rewrite().parameters());
      }
      out.printf("created    %s%n", m.created());
      out.printf(
          "signed     %s%n", m.signature() == null ? "no" : "yes, key " + m.signature().keyId());
      for (ModelManifest.Tensor t : m.inputs()) {
        out.printf(
            "input      %s %s%s%s%n",
            t.name(),
            t.type(),
            Arrays.toString(t.shape()),
            t.vocabSize() == null ? "" : " vocabulary " + t.vocabSize());
      }
      for (ModelManifest.Tensor t : m.outputs()) {
        out.printf("output     %s %s%s%n", t.name(), t.type(), Arrays.toString(t.shape()));
      }
      if (m.task() != null) {
        ModelManifest.Task t = m.task();
        out.printf(
            "task       %s%s%s%s%s%s%n",
            t.kind() == null ? "(default kind)" : t.kind(),
            t.output() == null ? "" : " output=" + t.output(),
            t.classNames() == null ? "" : " class_names=" + String.join(",", t.classNames()),
            t.threshold() == null ? "" : " threshold=" + t.threshold(),
            t.logits() == null ? "" : " logits=" + t.logits(),
            t.normalize() == null ? "" : " normalize=" + t.normalize());
      }
      if (m.tokenizer() != null) {
        ModelManifest.Tokenizer t = m.tokenizer();
        out.printf(
            Locale.ROOT,
            "tokenizer  %s, vocabulary %s, special tokens %s%n",
            t.kind(),
            t.vocabSize() == null ? "?" : String.format(Locale.ROOT, "%,d", t.vocabSize()),
            t.specialTokens());
        out.printf(
            Locale.ROOT,
            "           max length %d, truncation %s, feeds %s%n",
            t.maxLength(),
            t.truncation(),
            ModelManifest.Tokenizer.ROLES.stream()
                .filter(t.inputs()::containsKey)
                .map(role -> role + " -> " + t.inputs().get(role))
                .collect(java.util.stream.Collectors.joining(", ")));
        out.printf(Locale.ROOT, "           %s (%,d bytes)%n", t.sha256(), t.bytes());
      }
      if (m.image() != null) {
        ModelManifest.Image im = m.image();
        ModelManifest.Tensor in =
            m.inputs().stream().filter(t -> t.name().equals(im.input())).findFirst().orElseThrow();
        int[] crop = im.cropOf(in.shape());
        out.printf(
            Locale.ROOT,
            "image      %s, resize shorter side to %d (%s, antialiased), centre crop %dx%d, %s ->"
                + " %s%n",
            im.channels(),
            im.resize(),
            im.interpolation(),
            crop[0],
            crop[1],
            im.layout(),
            im.input());
        out.printf(
            Locale.ROOT,
            "           scale %s, mean %s, std %s%n",
            im.scale() == 1.0 / 255 ? "1/255" : String.valueOf(im.scale()),
            im.mean(),
            im.std());
      }
      if (m.format() != dev.inferlake.model.ModelFormat.ONNX) {
        out.println("ops        (counted for ONNX models only)");
      } else if (m.encrypted() && key == null) {
        out.println("ops        (encrypted: pass --key-file or --key-env to count ops)");
      } else {
        byte[] raw =
            ModelPackage.unpack(
                m,
                r.payload(nv[0], nv[1]),
                key == null ? null : key.aead(),
                ModelPackage.MAX_RAW_BYTES);
        Map<String, Integer> ops = new TreeMap<>();
        for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(raw).getGraph().getNodeList()) {
          ops.merge(n.getOpType(), 1, Integer::sum);
        }
        out.printf("ops        %s%n", ops);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description = "Signs a registered version's manifest with an Ed25519 keyset.")
  static final class Sign implements Callable<Integer> {
    @ParentCommand ModelCommand parent;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "FILE",
        description = "Private Ed25519 keyset (from 'model keygen --type signing').")
    Path key;

    @Parameters(paramLabel = "NAME:VERSION")
    String ref;

    @Override
    public Integer call() {
      String[] nv = ref(ref);
      ModelRegistry r = parent.registry(spec.commandLine());
      // Sign only what the package holds: a manifest whose payload was swapped is refused.
      ModelManifest m = ModelKeys.sign(r.verified(nv[0], nv[1]), ModelKeys.fromFile(key));
      r.writeManifest(nv[0], nv[1], m);
      spec.commandLine()
          .getOut()
          .printf("signed %s with key %s%n", m.label(), m.signature().keyId());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      description =
          "Makes a Tink keyset: 'encryption' (AES-256-GCM) or 'signing' (Ed25519, plus its public half).")
  static final class Keygen implements Callable<Integer> {
    enum Type {
      encryption,
      signing
    }

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--type", required = true, description = "encryption | signing")
    Type type;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Secret keyset file (written with owner-only permissions).")
    Path out;

    @Option(
        names = "--public-out",
        paramLabel = "FILE",
        description = "For signing keys: the public keyset, to list in trusted_keys.")
    Path publicOut;

    @Option(
        names = "--force",
        description = "Replace existing key files (by default an existing file is an error).")
    boolean force;

    @Override
    public Integer call() throws IOException {
      String json =
          type == Type.encryption ? ModelKeys.newEncryptionKeyset() : ModelKeys.newSigningKeyset();
      KeyFiles.write(out, json, true, force);
      spec.commandLine().getOut().printf("wrote %s keyset %s%n", type, out);
      if (type == Type.signing && publicOut != null) {
        KeyFiles.write(
            publicOut, ModelKeys.publicKeyset(ModelKeys.parse(json, out.toString())), false, force);
        spec.commandLine().getOut().printf("wrote public keyset %s%n", publicOut);
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
