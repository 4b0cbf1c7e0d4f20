/**
 * The demo's model variants (dense, pruned, quantised), built once and cached under a key of the source model's
 * content and the recipe.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models.variants;
