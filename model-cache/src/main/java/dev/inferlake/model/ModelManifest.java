package dev.inferlake.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a model package says about its model: identity, digest and sizes, signature (inputs and
 * outputs), how the payload is compressed and encrypted, what it was derived from (and by which
 * rewrite), and who signed it. Stored as {@code manifest.json} beside the payload.
 *
 * @param name model name
 * @param version model version
 * @param format the model format
 * @param sha256 digest of the raw (uncompressed, unencrypted) model, {@code sha256:...}
 * @param rawBytes size of the raw model
 * @param packedBytes size of the payload as stored and shipped
 * @param compression {@code zstd}
 * @param encryption {@code none} or {@code aes256-gcm}
 * @param rewrite how this version's weights were rewritten from another version (compression), or
 *     null
 * @param lineage the version this one was derived from, or null
 * @param created ISO-8601 creation time
 * @param inputs model inputs
 * @param outputs model outputs
 * @param signature the Ed25519 signature, or null
 * @param packedSha256 digest of the payload as stored and shipped, {@code sha256:...}
 * @param files external data files the model reads from its folder (each stored zstd-compressed
 *     beside the payload), or null
 * @param task what the model's output means (declared at registration), or null: then a job's
 *     {@code task}, or the default by output width, applies. Left out of the JSON when null, so
 *     manifests written before it existed keep their bytes and signatures.
 * @param tokenizer the text tokenizer the package carries, or null; left out of the JSON when null
 * @param image how encoded pictures become the model's image input, or null; left out of the JSON
 *     when null, so manifests without it keep their bytes and signatures
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
    String name,
    String version,
    ModelFormat format,
    String sha256,
    long rawBytes,
    long packedBytes,
    String compression,
    String encryption,
    Rewrite rewrite,
    String lineage,
    String created,
    List<Tensor> inputs,
    List<Tensor> outputs,
    Signature signature,
    String packedSha256,
    List<DataFile> files,
    Task task,
    Tokenizer tokenizer,
    Image image)
    implements Serializable {

  /** A manifest without image preprocessing. */
  public ModelManifest(
      String name,
      String version,
      ModelFormat format,
      String sha256,
      long rawBytes,
      long packedBytes,
      String compression,
      String encryption,
      Rewrite rewrite,
      String lineage,
      String created,
      List<Tensor> inputs,
      List<Tensor> outputs,
      Signature signature,
      String packedSha256,
      List<DataFile> files,
      Task task,
      Tokenizer tokenizer) {
    this(
        name,
        version,
        format,
        sha256,
        rawBytes,
        packedBytes,
        compression,
        encryption,
        rewrite,
        lineage,
        created,
        inputs,
        outputs,
        signature,
        packedSha256,
        files,
        task,
        tokenizer,
        null);
  }

  /** A manifest without a tokenizer. */
  public ModelManifest(
      String name,
      String version,
      ModelFormat format,
      String sha256,
      long rawBytes,
      long packedBytes,
      String compression,
      String encryption,
      Rewrite rewrite,
      String lineage,
      String created,
      List<Tensor> inputs,
      List<Tensor> outputs,
      Signature signature,
      String packedSha256,
      List<DataFile> files,
      Task task) {
    this(
        name,
        version,
        format,
        sha256,
        rawBytes,
        packedBytes,
        compression,
        encryption,
        rewrite,
        lineage,
        created,
        inputs,
        outputs,
        signature,
        packedSha256,
        files,
        task,
        null);
  }

  /** A manifest without a declared task, as packing makes it. */
  public ModelManifest(
      String name,
      String version,
      ModelFormat format,
      String sha256,
      long rawBytes,
      long packedBytes,
      String compression,
      String encryption,
      Rewrite rewrite,
      String lineage,
      String created,
      List<Tensor> inputs,
      List<Tensor> outputs,
      Signature signature,
      String packedSha256,
      List<DataFile> files) {
    this(
        name,
        version,
        format,
        sha256,
        rawBytes,
        packedBytes,
        compression,
        encryption,
        rewrite,
        lineage,
        created,
        inputs,
        outputs,
        signature,
        packedSha256,
        files,
        null);
  }

  public static final String ZSTD = "zstd";
  public static final String NONE = "none";
  public static final String AES256_GCM = "aes256-gcm";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final ObjectMapper CANONICAL = new ObjectMapper();

  /**
   * A tensor in the manifest: {@code -1} marks a dynamic dimension.
   *
   * @param vocabSize for an integer input holding ids (an embedding lookup): the ids it takes are
   *     {@code 0} to {@code vocabSize - 1}, and a row holding another is a bad row, not a failed
   *     batch; null when the package declares none (left out of the JSON, so manifests written
   *     before the field existed keep their bytes and signatures)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tensor(String name, String type, long[] shape, Long vocabSize)
      implements Serializable {
    public Tensor(String name, String type, long[] shape) {
      this(name, type, shape, null);
    }

    static Tensor of(TensorSpec t) {
      return new Tensor(t.name(), t.type().lowerName(), t.shape());
    }

    /** This tensor, declaring ids {@code 0} to {@code size - 1}; null declares none. */
    public Tensor withVocabSize(Long size) {
      return new Tensor(name, type, shape, size);
    }

    /** {@code name (int64[-1, -1])}, for messages. */
    String describe() {
      return name + " (" + type + java.util.Arrays.toString(shape) + ")";
    }

    TensorSpec toSpec() {
      return new TensorSpec(
          name, ElementType.valueOf(type.toUpperCase(java.util.Locale.ROOT)), shape);
    }
  }

  /**
   * How a compressed version was made: the method as written ({@code int8-dynamic:7}), its
   * parameters and what it rewrote, and the version it was made from, with that version's digest.
   */
  public record Rewrite(
      String method,
      java.util.Map<String, String> parameters,
      String source,
      @JsonProperty("source_sha256") String sourceSha256)
      implements Serializable {}

  /** An external data file: its path inside the model's folder, digest and size (raw). */
  public record DataFile(String path, String sha256, long bytes) implements Serializable {}

  /**
   * What a model's output means, as declared at registration ({@code model register --task}); every
   * field may be null (then the job's value or the default applies). Null fields are left out of
   * the JSON.
   *
   * @param kind {@code classifier}, {@code binary}, {@code multilabel}, {@code regressor}, {@code
   *     embedding} or {@code raw}
   * @param output the model output the task reads (default: the first)
   * @param classNames one name per class (classifier) or per label (multilabel); two for binary
   * @param threshold binary/multilabel: a probability at or above it predicts 1 (default 0.5)
   * @param logits binary/multilabel: the output holds logits, so sigmoid is applied first
   * @param normalize embedding: {@code l2} to scale each vector to unit length
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Task(
      String kind,
      String output,
      List<String> classNames,
      Double threshold,
      Boolean logits,
      String normalize)
      implements Serializable {}

  /**
   * A text tokenizer carried by the package ({@code model register --tokenizer}): a HuggingFace
   * {@code tokenizer.json} stored as {@code tokenizer.json} in the version's folder, bound to the
   * manifest (and so to its signature) by its digest.
   *
   * @param kind the tokenizer model's type in the file, lowercased: {@code wordpiece}, {@code bpe},
   *     {@code unigram} or {@code wordlevel}
   * @param sha256 digest of the {@code tokenizer.json} bytes, {@code sha256:...}
   * @param bytes size of the file
   * @param vocabSize tokens in its vocabulary, added tokens included
   * @param specialTokens its special tokens (added tokens marked special), in id order
   * @param maxLength the longest row of ids, special tokens included; longer texts are truncated
   * @param truncation {@code right} (drop the end) or {@code left} (drop the start)
   * @param inputs which model input receives what: {@code input_ids}, {@code attention_mask} and
   *     {@code token_type_ids} to the model input's name
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tokenizer(
      String kind,
      String sha256,
      long bytes,
      Long vocabSize,
      List<String> specialTokens,
      int maxLength,
      String truncation,
      java.util.Map<String, String> inputs)
      implements Serializable {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    /** What a tokenizer produces, in the order models usually take them. */
    public static final List<String> ROLES = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
  }

  /**
   * How encoded pictures (PNG, JPEG, ...) become one float input of an image model, as
   * torchvision's {@code Resize(resize)}, {@code CenterCrop}, {@code ToTensor} and {@code
   * Normalize(mean, std)} do on a PIL image converted to {@code channels}: the shorter side is
   * resized to {@code resize} (the longer to {@code floor(resize * long / short)}) with PIL's
   * bilinear filter (antialiased when shrinking), the centre cut to the input's height and width,
   * every value multiplied by {@code scale} and then normalized per channel, {@code (v - mean) /
   * std}. Declared at registration ({@code model register --image-resize ...}) and so covered by
   * the digest and signature.
   *
   * @param input the model input the pictures feed (float, rank 4)
   * @param channels {@code rgb} (3 channels) or {@code grey} (1 channel, PIL's {@code L})
   * @param layout {@code nchw} or {@code nhwc}: where the channel dimension of the input is
   * @param resize the shorter side after resizing, at least the input's height and width
   * @param interpolation {@code bilinear} (the only one so far)
   * @param scale what each 0..255 value is multiplied by before normalizing ({@code 1/255} as
   *     {@code ToTensor})
   * @param mean per channel
   * @param std per channel, each above 0
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Image(
      String input,
      String channels,
      String layout,
      int resize,
      String interpolation,
      double scale,
      List<Double> mean,
      List<Double> std)
      implements Serializable {
    public static final String RGB = "rgb";
    public static final String GREY = "grey";
    public static final String NCHW = "nchw";
    public static final String NHWC = "nhwc";
    public static final String BILINEAR = "bilinear";

    /** Channels per pixel: 3 for rgb, 1 for grey. */
    public int channelCount() {
      return RGB.equals(channels) ? 3 : 1;
    }

    /** The input's height and width, from its {@code [-1, c, h, w]} or {@code [-1, h, w, c]}. */
    public int[] cropOf(long[] shape) {
      return NCHW.equals(layout)
          ? new int[] {(int) shape[2], (int) shape[3]}
          : new int[] {(int) shape[1], (int) shape[2]};
    }
  }

  /** An Ed25519 signature over {@link ModelManifest#signedBytes()}. */
  public record Signature(String algorithm, @JsonProperty("key_id") String keyId, String value)
      implements Serializable {}

  public static List<Tensor> tensors(List<TensorSpec> specs) {
    return specs.stream().map(Tensor::of).toList();
  }

  /** {@code name:version}. */
  public String label() {
    return name + ":" + version;
  }

  public boolean encrypted() {
    return AES256_GCM.equals(encryption);
  }

  public ModelSignature modelSignature() {
    return new ModelSignature(
        inputs.stream().map(Tensor::toSpec).toList(),
        outputs.stream().map(Tensor::toSpec).toList());
  }

  /** External data files, never null. */
  public List<DataFile> filesOrEmpty() {
    return files == null ? List.of() : files;
  }

  /**
   * The vocabulary sizes the inputs declare ({@link Tensor#vocabSize}), by input name; empty when
   * none does.
   */
  public java.util.Map<String, Long> vocabSizes() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    for (Tensor t : inputs) {
      if (t.vocabSize() != null) {
        out.put(t.name(), t.vocabSize());
      }
    }
    return out;
  }

  /**
   * This manifest with these inputs declaring a vocabulary size: their ids must lie in {@code [0,
   * size)}. Inputs not named keep what they declare.
   *
   * @throws InferlakeException USAGE when a name is not an input, the input is not of an integer
   *     type, or a size is below 1
   */
  public ModelManifest withVocabSizes(java.util.Map<String, Long> sizes) {
    List<Tensor> declared = new java.util.ArrayList<>(inputs);
    for (java.util.Map.Entry<String, Long> e : sizes.entrySet()) {
      int i = 0;
      while (i < declared.size() && !declared.get(i).name().equals(e.getKey())) {
        i++;
      }
      if (i == declared.size()) {
        throw ModelErrors.vocabSizeForUnknownInput(
            label(), e.getKey(), inputs.stream().map(Tensor::name).toList());
      }
      TensorSpec spec = declared.get(i).toSpec();
      if (!isIdType(spec.type())) {
        throw ModelErrors.vocabSizeForNonIntegerInput(label(), spec);
      }
      if (e.getValue() == null || e.getValue() < 1) {
        throw ModelErrors.vocabSizeNotPositive(label(), spec, e.getValue());
      }
      declared.set(i, declared.get(i).withVocabSize(e.getValue()));
    }
    return copy(List.copyOf(declared), signature, files, task, tokenizer);
  }

  /** Element types that can hold ids: the integer ones. */
  private static boolean isIdType(ElementType t) {
    return switch (t) {
      case INT64, INT32, INT8, UINT8 -> true;
      case FLOAT, DOUBLE, FLOAT16, BOOL, STRING, OTHER -> false;
    };
  }

  public ModelManifest withFiles(List<DataFile> f) {
    return copy(inputs, signature, f, task, tokenizer);
  }

  public ModelManifest withSignature(Signature s) {
    return copy(inputs, s, files, task, tokenizer);
  }

  /** This manifest declaring {@code t} (null for none); a signature made before no longer holds. */
  public ModelManifest withTask(Task t) {
    return copy(inputs, signature, files, t, tokenizer);
  }

  /**
   * This manifest carrying tokenizer {@code t} (null for none); a signature made before no longer
   * holds.
   *
   * @throws InferlakeException MODEL when {@code t} feeds no {@code input_ids}, names an input the
   *     model does not have or one that is not int64, or leaves an int64 input of the model unfed
   */
  public ModelManifest withTokenizer(Tokenizer t) {
    if (t != null) {
      checkTokenizerInputs(t);
    }
    return copy(inputs, signature, files, task, t);
  }

  private void checkTokenizerInputs(Tokenizer t) {
    List<String> int64 =
        inputs.stream().filter(i -> "int64".equals(i.type())).map(Tensor::name).toList();
    if (!t.inputs().containsKey(Tokenizer.INPUT_IDS)) {
      throw ModelErrors.tokenizerWithoutInputIds(label(), t.inputs(), int64);
    }
    for (java.util.Map.Entry<String, String> e : t.inputs().entrySet()) {
      if (!Tokenizer.ROLES.contains(e.getKey())) {
        throw ModelErrors.tokenizerUnknownRole(label(), e.getKey(), Tokenizer.ROLES);
      }
      if (!int64.contains(e.getValue())) {
        throw ModelErrors.tokenizerInputMismatch(
            label(), e.getKey(), e.getValue(), inputs.stream().map(Tensor::describe).toList());
      }
    }
    for (String name : int64) {
      if (!t.inputs().containsValue(name)) {
        throw ModelErrors.tokenizerLeavesInputUnfed(label(), name, t.inputs());
      }
    }
  }

  /**
   * This manifest declaring image preprocessing {@code img} (null for none); a signature made
   * before no longer holds.
   *
   * @throws InferlakeException MODEL when {@code img} names an input the model does not have, one
   *     that is not float of rank 4 with fixed dimensions, whose channel dimension does not match
   *     its layout and channels, or settings out of range (mean/std per channel, std above 0,
   *     resize at least the crop)
   */
  public ModelManifest withImage(Image img) {
    if (img != null) {
      checkImage(img);
    }
    return copy(inputs, signature, files, task, tokenizer, img);
  }

  private void checkImage(Image img) {
    Tensor in = inputs.stream().filter(i -> i.name().equals(img.input())).findFirst().orElse(null);
    String problem = null;
    if (in == null) {
      problem = "names input '" + img.input() + "', which the model does not have";
    } else if (!"float".equals(in.type())
        || in.shape().length != 4
        || java.util.Arrays.stream(in.shape()).skip(1).anyMatch(d -> d < 1)) {
      problem =
          "feeds input "
              + in.describe()
              + ", which is not a float input of fixed shape [-1, c, h, w] or [-1, h, w, c]";
    } else if (!List.of(Image.RGB, Image.GREY).contains(img.channels())) {
      problem = "has channels '" + img.channels() + "'; expected rgb or grey";
    } else if (!List.of(Image.NCHW, Image.NHWC).contains(img.layout())) {
      problem = "has layout '" + img.layout() + "'; expected nchw or nhwc";
    } else if (!Image.BILINEAR.equals(img.interpolation())) {
      problem = "has interpolation '" + img.interpolation() + "'; expected bilinear";
    } else {
      long c = Image.NCHW.equals(img.layout()) ? in.shape()[1] : in.shape()[3];
      int[] crop = img.cropOf(in.shape());
      if (c != img.channelCount()) {
        problem =
            "declares "
                + img.channels()
                + " ("
                + img.channelCount()
                + " channels) in layout "
                + img.layout()
                + ", but input "
                + in.describe()
                + " has "
                + c;
      } else if (img.mean() == null
          || img.std() == null
          || img.mean().size() != c
          || img.std().size() != c) {
        problem = "needs one mean and one std per channel (" + c + ")";
      } else if (img.std().stream().anyMatch(v -> v == null || !(v > 0))
          || img.mean().stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
        problem =
            "needs finite means and stds above 0, got mean " + img.mean() + ", std " + img.std();
      } else if (!(img.scale() > 0) || !Double.isFinite(img.scale())) {
        problem = "needs a scale above 0, got " + img.scale();
      } else if (img.resize() < Math.max(crop[0], crop[1])) {
        problem =
            "resizes the shorter side to "
                + img.resize()
                + ", less than the "
                + crop[0]
                + "x"
                + crop[1]
                + " crop the input takes";
      }
    }
    if (problem != null) {
      throw ModelErrors.imagePreprocessingMismatch(label(), problem);
    }
  }

  /** This manifest with the two fields added after packing (signature, data files) replaced. */
  /** This manifest with the fields that withers change replaced; the rest kept. */
  private ModelManifest copy(
      List<Tensor> in, Signature s, List<DataFile> f, Task t, Tokenizer tok) {
    return copy(in, s, f, t, tok, image);
  }

  private ModelManifest copy(
      List<Tensor> in, Signature s, List<DataFile> f, Task t, Tokenizer tok, Image img) {
    return new ModelManifest(
        name,
        version,
        format,
        sha256,
        rawBytes,
        packedBytes,
        compression,
        encryption,
        rewrite,
        lineage,
        created,
        in,
        outputs,
        s,
        packedSha256,
        f,
        t,
        tok,
        img);
  }

  /**
   * The signature scheme of new signatures: every field but the signature ({@link
   * #canonicalBytes}).
   */
  public static final String SIGNATURE_SCHEME = "ed25519-manifest-v2";

  /** The first scheme ({@link #signedBytes}), still verified for versions signed with it. */
  public static final String SIGNATURE_SCHEME_V1 = "ed25519";

  /**
   * The bytes a signature of {@link #SIGNATURE_SCHEME} covers: the whole manifest but the signature
   * itself, as JSON with sorted keys and no whitespace. Every field that steers scoring (input and
   * output names, types and shapes; sizes; payload and data-file digests; compression parameters)
   * is covered, and so is any field added later.
   */
  public byte[] canonicalBytes() {
    com.fasterxml.jackson.databind.node.ObjectNode tree = JSON.valueToTree(withSignature(null));
    tree.remove("signature");
    try {
      return ("inferlake-model-v2\n" + CANONICAL.writeValueAsString(sorted(tree)))
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a manifest as JSON", e);
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode sorted(
      com.fasterxml.jackson.databind.JsonNode node) {
    if (node.isObject()) {
      com.fasterxml.jackson.databind.node.ObjectNode out = CANONICAL.createObjectNode();
      java.util.List<String> names = new java.util.ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      java.util.Collections.sort(names);
      for (String n : names) {
        out.set(n, sorted(node.get(n)));
      }
      return out;
    }
    if (node.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode out = CANONICAL.createArrayNode();
      node.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return node;
  }

  /**
   * The bytes a signature of the first scheme ({@link #SIGNATURE_SCHEME_V1}) covers: identity,
   * format and digest of the raw model and of each external data file, so a signature holds
   * whatever compression or encryption carries them; for a compressed version also its method and
   * source, so its lineage cannot be rewritten unnoticed.
   */
  public byte[] signedBytes() {
    StringBuilder sb =
        new StringBuilder(
            String.join("\n", "inferlake-model-v1", name, version, format.specName(), sha256));
    for (DataFile f : filesOrEmpty()) {
      sb.append('\n').append(f.path()).append(' ').append(f.sha256());
    }
    if (rewrite != null) {
      sb.append("\nrewrite ")
          .append(rewrite.method())
          .append(' ')
          .append(rewrite.source())
          .append(' ')
          .append(rewrite.sourceSha256());
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a manifest always serializes", e);
    }
  }

  /** Parses a manifest; {@code what} names it in messages. */
  public static ModelManifest fromJson(String json, String what) {
    try {
      return JSON.readValue(json, ModelManifest.class);
    } catch (JsonProcessingException e) {
      throw ModelErrors.corrupt(what, "its manifest is not valid: " + e.getOriginalMessage(), e);
    }
  }
}
