package dev.inferlake.executors;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a model's task output means, resolved on the driver from the job and the package: how the
 * output becomes the prediction table's {@code prediction}, {@code probabilities}, {@code label},
 * {@code predictions} and {@code embedding} columns.
 *
 * @param kind the task
 * @param classNames one name per class (classifier), per label (multilabel) or for 0 and 1
 *     (binary); empty when none are declared
 * @param threshold binary and multilabel: a probability at or above it predicts 1
 * @param logits binary and multilabel: the output holds logits, and sigmoid makes them
 *     probabilities
 * @param normalizeL2 embedding: each vector is scaled to unit L2 length
 */
public record Task(
    Kind kind,
    List<String> classNames,
    double threshold,
    boolean logits,
    boolean normalizeL2,
    Pooling pooling)
    implements Serializable {

  /**
   * How an embedding task turns a per-token output ({@code [batch, seq, dim]}) into one vector per
   * row, over the tokens the attention mask keeps.
   */
  public enum Pooling {
    /** The mean of the row's token states (padding excluded). */
    MEAN,
    /** The first token's state (the tokenizer's {@code [CLS]}). */
    CLS;

    /** {@code mean} or {@code cls}; null for anything else. */
    public static Pooling parse(String s) {
      return switch (s == null ? "" : s) {
        case "mean" -> MEAN;
        case "cls" -> CLS;
        default -> null;
      };
    }
  }

  /** A task over an output of one vector per row. */
  public Task(
      Kind kind, List<String> classNames, double threshold, boolean logits, boolean normalizeL2) {
    this(kind, classNames, threshold, logits, normalizeL2, null);
  }

  /** The default threshold of binary and multilabel tasks. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** The tasks a model output can serve. */
  public enum Kind {
    /** Prediction = index of the largest value; probabilities = the output; label = its name. */
    CLASSIFIER,
    /** One value per row, a probability or a logit: prediction 0/1, probabilities [1-p, p]. */
    BINARY,
    /** One probability or logit per label: predictions 0/1 per label, prediction = labels on. */
    MULTILABEL,
    /** Prediction = the one value; several targets: predictions, prediction null. */
    REGRESSOR,
    /** The embedding column holds the vector; prediction null. */
    EMBEDDING,
    /** Nothing but the stored outputs; prediction null. */
    RAW;

    /** The name a job or manifest writes, e.g. {@code multilabel}. */
    public String specName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The kind a job or manifest names; null when there is none by that name. */
    public static Kind parse(String name) {
      for (Kind k : values()) {
        if (k.specName().equals(name)) {
          return k;
        }
      }
      return null;
    }

    /** Every name, for messages. */
    public static List<String> names() {
      return java.util.Arrays.stream(values()).map(Kind::specName).toList();
    }
  }

  public Task {
    Objects.requireNonNull(kind, "kind");
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
    }
    if (pooling != null && kind != Kind.EMBEDDING) {
      throw new IllegalArgumentException("only an embedding task pools, not " + kind);
    }
  }

  /** Today's rule when nothing is declared: several values per row classify, one regresses. */
  public static Task byWidth(long width) {
    return of(width > 1 ? Kind.CLASSIFIER : Kind.REGRESSOR);
  }

  /** A task with no class names and the defaults. */
  public static Task of(Kind kind) {
    return new Task(kind, List.of(), DEFAULT_THRESHOLD, false, false);
  }

  /** Whether the task writes a {@code prediction} that may be null (no single value to store). */
  public boolean predictionMayBeNull(long width) {
    return switch (kind) {
      case CLASSIFIER, BINARY, MULTILABEL -> false;
      case REGRESSOR -> width > 1;
      case EMBEDDING, RAW -> true;
    };
  }
}
