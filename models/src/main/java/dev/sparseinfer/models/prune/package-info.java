/**
 * Pruning a BERT model: magnitude, Wanda and SparseGPT, unstructured or 2:4, and structured pruning of heads,
 * FFN channels and layers.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models.prune;
