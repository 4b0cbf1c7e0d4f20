/**
 * The GPU benchmark: one linear layer per weight format on the CUDA backend.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.bench.gpu;
