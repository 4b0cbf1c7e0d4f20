/**
 * The built-in model registry, the cache directory models are extracted to, and the per-matrix inventory
 * {@code inspect} reports.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.models;
