/**
 * int8 quantisation of a model's linear layers, keeping their sparsity.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models.quantize;
