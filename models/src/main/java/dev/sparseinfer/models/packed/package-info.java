/**
 * Deriving a packed model from another by one pruning or quantisation step, with the recipe that records it.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models.packed;
