/**
 * Calibration data for pruning: the texts, their tokens, and the input statistics Wanda and SparseGPT score
 * weights with.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models.calibration;
