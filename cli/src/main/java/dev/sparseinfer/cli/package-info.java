/**
 * The {@code sparseinfer} command line (picocli): embed, inspect, prune, quantize, bench and demo.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.cli;
