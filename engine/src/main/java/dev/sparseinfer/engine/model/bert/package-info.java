/**
 * The BERT encoder: its config and weights, and the forward pass written once against the backend interface.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.model.bert;
