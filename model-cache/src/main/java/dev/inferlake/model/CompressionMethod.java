package dev.inferlake.model;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A rewrite of an ONNX model's weights that makes its package smaller or its kernels faster, at a
 * measured cost in accuracy. Written {@code int8-weights}, {@code int8-dynamic[:BITS]}, {@code
 * fp16} or {@code prune:FRACTION}.
 *
 * @param kind which rewrite
 * @param fraction for {@code prune}: the share of each weight tensor set to zero, in (0, 1)
 * @param weightBits for the int8 rewrites: 8, or 7 to keep int8 kernels without VNNI from
 *     saturating (their 16-bit pair sums overflow with full-range weights)
 */
public record CompressionMethod(Kind kind, double fraction, int weightBits)
    implements Serializable {

  /** The rewrites. */
  public enum Kind {
    /** Per-channel symmetric int8 weights, dequantized in the graph: a smaller package. */
    INT8_WEIGHTS("int8-weights"),
    /**
     * Integer matrix kernels: weights int8 per channel, activations quantized at run time
     * (DynamicQuantizeLinear, MatMulInteger), for CPU speed.
     */
    INT8_DYNAMIC("int8-dynamic"),
    /** Half-precision weights, cast back to float in the graph. */
    FP16("fp16"),
    /** Magnitude pruning: the smallest weights of each tensor set to zero. */
    PRUNE("prune");

    private final String spec;

    Kind(String spec) {
      this.spec = spec;
    }

    public String spec() {
      return spec;
    }
  }

  /** The forms {@link #parse} accepts, for help texts and messages. */
  public static final String FORMS = "int8-weights, int8-dynamic[:7|8], fp16, prune:FRACTION";

  public CompressionMethod {
    if (kind == Kind.PRUNE && !(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("prune fraction must be in (0, 1), was " + fraction);
    }
    if ((kind == Kind.INT8_WEIGHTS || kind == Kind.INT8_DYNAMIC)
        && weightBits != 7
        && weightBits != 8) {
      throw new IllegalArgumentException("int8 weight bits must be 7 or 8, was " + weightBits);
    }
  }

  /**
   * Parses a method as written on the command line.
   *
   * @throws InferlakeException USAGE naming the method and the forms accepted
   */
  public static CompressionMethod parse(String text) {
    String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    String arg = colon < 0 ? null : s.substring(colon + 1);
    switch (name) {
      case "int8-weights":
        if (arg != null) {
          throw ModelErrors.badMethod(text, "int8-weights takes no parameter");
        }
        return new CompressionMethod(Kind.INT8_WEIGHTS, 0, 8);
      case "int8-dynamic":
        if (arg == null) {
          return new CompressionMethod(Kind.INT8_DYNAMIC, 0, 7);
        }
        if (!arg.equals("7") && !arg.equals("8")) {
          throw ModelErrors.badMethod(text, "int8-dynamic takes the weight bits, 7 or 8");
        }
        return new CompressionMethod(Kind.INT8_DYNAMIC, 0, Integer.parseInt(arg));
      case "fp16":
        if (arg != null) {
          throw ModelErrors.badMethod(text, "fp16 takes no parameter");
        }
        return new CompressionMethod(Kind.FP16, 0, 0);
      case "prune":
        double f;
        try {
          f = arg == null ? Double.NaN : Double.parseDouble(arg);
        } catch (NumberFormatException e) {
          f = Double.NaN;
        }
        if (!(f > 0 && f < 1)) {
          throw ModelErrors.badMethod(
              text,
              "prune takes the fraction of weights to zero, between 0 and 1 (e.g. prune:0.5)");
        }
        return new CompressionMethod(Kind.PRUNE, f, 0);
      default:
        throw ModelErrors.badMethod(text, "unknown method");
    }
  }

  /** The method as {@link #parse} reads it. */
  public String spec() {
    return switch (kind) {
      case INT8_WEIGHTS -> kind.spec();
      case INT8_DYNAMIC -> kind.spec() + ":" + weightBits;
      case FP16 -> kind.spec();
      case PRUNE -> kind.spec() + ":" + fraction;
    };
  }

  /** The method's parameters as recorded in the manifest. */
  public Map<String, String> parameters() {
    Map<String, String> p = new LinkedHashMap<>();
    switch (kind) {
      case INT8_WEIGHTS, INT8_DYNAMIC -> {
        p.put("weight_bits", Integer.toString(weightBits));
        p.put("scheme", "symmetric");
      }
      case FP16 -> p.put("range", "weights beyond +-65504 stay float");
      case PRUNE -> {
        p.put("fraction", Double.toString(fraction));
        p.put("scope", "per tensor, by magnitude");
      }
    }
    return p;
  }
}
