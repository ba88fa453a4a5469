package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.extensions.OrtxPackage;
import dev.inferlake.executors.testing.WordPieceTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Measures the two tokenizer libraries an executor could use on the same texts, single-threaded:
 * DJL's HuggingFace tokenizers (what {@link TextTokenizer} uses) and ONNX Runtime Extensions'
 * {@code BertTokenizer} operator, both given the same WordPiece vocabulary. Prints tokens per
 * second; asserts only that both produce the same ids. Not part of the default test run (the name
 * ends in Bench): {@code mvn -o -pl executors -am -Dtest=TokenizerLibrariesBench
 * -Dsurefire.failIfNoSpecifiedTests=false verify}.
 *
 * <p>Texts: the lines of the license texts in {@code /usr/share/common-licenses} (real English,
 * present on Debian); the vocabulary: their 3,000 most common words, every character alone and as a
 * {@code ##} continuation, and a few common suffixes.
 */
class TokenizerLibrariesBench {
  private static final Path CORPUS = Path.of("/usr/share/common-licenses");
  private static final Pattern WORD = Pattern.compile("[a-z0-9]+|[^a-z0-9\\s]");

  @Test
  void tokensPerSecondOnTheSameTexts() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(CORPUS), "skipped: no " + CORPUS);
    List<String> texts = texts();
    List<String> vocab = vocabulary(texts);
    System.out.printf(
        Locale.ROOT, "corpus: %d lines, vocabulary %d tokens%n", texts.size(), vocab.size());

    long[][] djlIds;
    long djlTokens;
    double djlNanos;
    try (TextTokenizer t =
        TextTokenizer.load(
            WordPieceTokenizers.bertLike(vocab), 4096, TextTokenizer.Truncation.RIGHT, "bench")) {
      djlIds = t.encode(texts).inputIds();
      djlTokens = tokens(djlIds);
      djlNanos = best(() -> t.encode(texts));
    }
    // The library's own batch call, for comparison (parallel inside unless
    // TOKENIZERS_PARALLELISM=false is in the environment).
    double djlBatchNanos;
    try (ai.djl.huggingface.tokenizers.HuggingFaceTokenizer raw =
        ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
            new java.io.ByteArrayInputStream(WordPieceTokenizers.bertLike(vocab)),
            Map.of("truncation", "false", "padding", "false"))) {
      djlBatchNanos = best(() -> raw.batchEncode(texts));
    }

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[][] ortxIds = new long[texts.size()][];
    double ortxNanos;
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
      o.registerCustomOpLibrary(OrtxPackage.getLibraryPath());
      try (OrtSession s = env.createSession(bertTokenizerGraph(vocab), o)) {
        // The operator takes one text (or a pair) per run: a batch is a loop of runs.
        Runnable all =
            () -> {
              for (int i = 0; i < texts.size(); i++) {
                try (OnnxTensor in =
                        OnnxTensor.createTensor(env, new String[] {texts.get(i)}, new long[] {1});
                    OrtSession.Result r = s.run(Map.of("text", in))) {
                  ortxIds[i] = (long[]) r.get(0).getValue();
                } catch (ai.onnxruntime.OrtException e) {
                  throw new IllegalStateException(e);
                }
              }
            };
        all.run();
        ortxNanos = best(all);
      }
    }
    int differ = 0;
    for (int i = 0; i < texts.size(); i++) {
      differ += Arrays.equals(djlIds[i], ortxIds[i]) ? 0 : 1;
    }
    System.out.printf(
        Locale.ROOT,
        "DJL tokenizers 0.36.0:            %,12.0f tokens/s (%d texts, %,d tokens, best of 5: %.1f"
            + " ms)%n",
        djlTokens / (djlNanos / 1e9),
        texts.size(),
        djlTokens,
        djlNanos / 1e6);
    System.out.printf(
        Locale.ROOT,
        "DJL batchEncode (TOKENIZERS_PARALLELISM=%s): %,12.0f tokens/s%n",
        System.getenv("TOKENIZERS_PARALLELISM"),
        djlTokens / (djlBatchNanos / 1e9));
    System.out.printf(
        Locale.ROOT,
        "onnxruntime-extensions 0.13.0:    %,12.0f tokens/s (best of 5: %.1f ms); rows whose ids"
            + " differ from DJL's: %d%n",
        djlTokens / (ortxNanos / 1e9),
        ortxNanos / 1e6,
        differ);
    assertEquals(0, differ, "both libraries must agree on the ids for the comparison to hold");
  }

  /** The best of five timed runs, after one warm-up, in nanoseconds. */
  private static double best(Runnable r) {
    r.run();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best;
  }

  private static long tokens(long[][] ids) {
    long n = 0;
    for (long[] r : ids) {
      n += r.length;
    }
    return n;
  }

  private static List<String> texts() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(CORPUS)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        for (String line : Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
          String t = line.strip();
          if (!t.isEmpty() && t.chars().allMatch(c -> c < 128)) {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  private static List<String> vocabulary(List<String> texts) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    java.util.TreeSet<String> chars = new java.util.TreeSet<>();
    for (String t : texts) {
      Matcher m = WORD.matcher(t.toLowerCase(Locale.ROOT));
      while (m.find()) {
        counts.merge(m.group(), 1, Integer::sum);
        m.group().chars().forEach(c -> chars.add(String.valueOf((char) c)));
      }
    }
    List<String> vocab = new ArrayList<>(WordPieceTokenizers.VOCAB.subList(0, 4));
    // ONNX Runtime Extensions' operator insists on a [MASK] token in the vocabulary.
    java.util.LinkedHashSet<String> rest = new java.util.LinkedHashSet<>(List.of("[MASK]"));
    rest.addAll(chars);
    chars.forEach(c -> rest.add("##" + c));
    for (String s : List.of("##s", "##ed", "##ing", "##ly", "##tion", "##er", "##al")) {
      rest.add(s);
    }
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
        .limit(3000)
        .forEach(e -> rest.add(e.getKey()));
    vocab.addAll(rest);
    return vocab;
  }

  /** One BertTokenizer node (ai.onnx.contrib) over the vocabulary: text[1] → ids, types, mask. */
  private static byte[] bertTokenizerGraph(List<String> vocab) {
    OnnxMl.NodeProto node =
        OnnxMl.NodeProto.newBuilder()
            .setOpType("BertTokenizer")
            .setDomain("ai.onnx.contrib")
            .setName("tokenize")
            .addInput("text")
            .addOutput("input_ids")
            .addOutput("token_type_ids")
            .addOutput("attention_mask")
            .addAttribute(stringAttr("vocab_file", String.join("\n", vocab)))
            .addAttribute(intAttr("do_lower_case", 1))
            .addAttribute(intAttr("max_length", 4096))
            .build();
    OnnxMl.GraphProto graph =
        OnnxMl.GraphProto.newBuilder()
            .setName("bert_tokenizer")
            .addNode(node)
            .addInput(value("text", OnnxMl.TensorProto.DataType.STRING))
            .addOutput(value("input_ids", OnnxMl.TensorProto.DataType.INT64))
            .addOutput(value("token_type_ids", OnnxMl.TensorProto.DataType.INT64))
            .addOutput(value("attention_mask", OnnxMl.TensorProto.DataType.INT64))
            .build();
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .addOpsetImport(
            OnnxMl.OperatorSetIdProto.newBuilder().setDomain("ai.onnx.contrib").setVersion(1))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  private static OnnxMl.AttributeProto stringAttr(String name, String value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(value))
        .build();
  }

  private static OnnxMl.AttributeProto intAttr(String name, long value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  private static OnnxMl.ValueInfoProto value(String name, OnnxMl.TensorProto.DataType type) {
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(type.getNumber())
                        .setShape(
                            OnnxMl.TensorShapeProto.newBuilder()
                                .addDim(
                                    OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                        .setDimParam("n")))))
        .build();
  }
}
