package dev.inferlake.reports;

/**
 * One version's embeddings against the baseline's, on the keys both scored for the report's date.
 *
 * @param keys keys both versions embedded
 * @param cosine per-key cosine similarity; null when the two versions' embeddings differ in width
 *     (cosine needs one space), in which case {@code widthNote} says so
 * @param sampleKeys keys in the nearest-neighbour sample
 * @param neighbours neighbours per key in the overlap
 * @param neighbourOverlap the mean share of each sampled key's nearest neighbours both versions
 *     agree on ({@link EmbeddingSimilarity#neighbourOverlap}); NaN with fewer than two keys
 * @param widthNote why cosine is missing, or null
 */
public record EmbeddingComparison(
    long keys,
    EmbeddingSimilarity.Cosine cosine,
    int sampleKeys,
    int neighbours,
    double neighbourOverlap,
    String widthNote) {}
