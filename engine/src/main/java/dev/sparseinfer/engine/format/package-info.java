/**
 * Weight formats as they are held in memory (dense, CSR, 2:4, int8 and their combinations), independent of any
 * file format, model or backend.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.format;
