/**
 * Reading models from disk: {@link dev.sparseinfer.engine.io.ModelLoader} tells the kinds of model file apart and
 * hands back the weights and tokenizer, mapped or loaded into memory; loaders know nothing of backends.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.io;
