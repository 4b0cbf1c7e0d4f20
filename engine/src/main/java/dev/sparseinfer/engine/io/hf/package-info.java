/**
 * Hugging Face model directories: {@code config.json}, {@code model.safetensors} (or its shards) and
 * {@code tokenizer.json}.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.io.hf;
