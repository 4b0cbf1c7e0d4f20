/**
 * Measuring models: agreement of embeddings with a reference, latency of whole models and of single layers, and
 * which backends a comparison can run on.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models.evaluate;
