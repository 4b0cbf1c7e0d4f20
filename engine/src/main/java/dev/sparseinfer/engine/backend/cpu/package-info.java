/**
 * The CPU backend in pure Java: each kernel family with a scalar reference and a Vector API implementation, and
 * {@link dev.sparseinfer.engine.backend.cpu.CpuKernelProvider}, which decides once per JVM which of them run.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.backend.cpu;
