/**
 * The CPU backend: each kernel family with a scalar reference and a Vector API implementation, the native int8
 * kernels for w8a8 layers ({@code NativeInt8Library}, bound through the Foreign
 * Function and Memory API when the {@code sparseinfer-native-cpu} jar is on the class path), and
 * {@link dev.sparseinfer.engine.backend.cpu.CpuKernelProvider}, which decides once per JVM which of them run.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.backend.cpu;
