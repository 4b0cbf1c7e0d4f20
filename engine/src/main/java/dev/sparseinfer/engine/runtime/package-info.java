/**
 * A tokenizer and an encoder prepared on a backend, run together: what the public
 * {@code EmbeddingModel} wraps, with the entry points this project's own tools need besides (models already in
 * memory, pre-tokenised batches for benchmarks).
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.runtime;
