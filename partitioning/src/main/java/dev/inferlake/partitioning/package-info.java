/**
 * Partition planning from metadata (Parquet footers, Delta log statistics): how many scoring tasks,
 * how many rows each, in what order. Not built yet: today the driver scores Spark's own file
 * splits. Spark-free by design, like {@code model-cache}.
 */
package dev.inferlake.partitioning;
