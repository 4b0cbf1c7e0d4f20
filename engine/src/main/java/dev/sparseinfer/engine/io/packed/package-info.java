/**
 * SparseInfer's own packed model file: safetensors holding weights in any of the engine's formats, the config, the
 * tokenizer and the recipe that made it.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.io.packed;
