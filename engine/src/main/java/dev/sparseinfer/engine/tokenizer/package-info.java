/**
 * Hugging Face {@code tokenizer.json} files, run by DJL's binding of the Rust tokenizers.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.tokenizer;
