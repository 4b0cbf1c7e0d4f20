/**
 * SparseInfer on Apache Spark: {@link dev.sparseinfer.spark.SparseInferEmbedder}, an ML {@code Transformer}, and
 * {@link dev.sparseinfer.spark.SparseInferFunctions}, the SQL function {@code sparseinfer_embed}, are this
 * integration's public API. Spark is a provided dependency: the cluster brings its own (4.2 or later, Scala 2.13).
 */
package dev.sparseinfer.spark;
