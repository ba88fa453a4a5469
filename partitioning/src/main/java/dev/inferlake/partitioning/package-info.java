/**
 * Partition planning from metadata (Parquet footers, Delta log statistics): how many scoring tasks,
 * and which pieces of the input each one reads, so that tasks carry about the same number of rows.
 * Spark-free by design, like {@code model-cache}: the driver hands it the input's pieces as Spark
 * cut them, and applies the groups it returns.
 */
package dev.inferlake.partitioning;
