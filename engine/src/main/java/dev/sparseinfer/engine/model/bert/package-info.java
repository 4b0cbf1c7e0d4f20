/**
 * The BERT encoder, which RoBERTa, XLM-RoBERTa and DistilBERT run as too ({@link
 * dev.sparseinfer.engine.model.bert.Architecture}): its config and weights, and the forward pass written once against
 * the backend interface.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.model.bert;
