package dev.sparseinfer.engine.backend.cpu;

import java.util.Optional;

/**
 * Which kernels the CPU backend runs, as {@link CpuKernelProvider} decided them.
 *
 * @param vectorApi  whether the Vector API kernels run; without them every layer is expanded to dense fp32 and run
 *                   by {@link ScalarCpuKernels}: slower, the same numbers to float rounding
 * @param vectorBits the vector width {@code -Dsparseinfer.cpu.vectorBits} asks for, or
 *                   {@link VectorBitsProperty#PREFERRED}; {@link CpuVectorShape} fixes the shape from it
 * @param nativeInt8 the instruction set of the native int8 kernels that run w8a8 layers, if they run
 * @param notice     why the kernels are slower than this machine allows, in one line, if they are
 */
public record CpuKernelSelection(
        boolean vectorApi, int vectorBits, Optional<NativeInt8Isa> nativeInt8, Optional<String> notice) {

    static CpuKernelSelection vector(int bits, Optional<NativeInt8Isa> nativeInt8, Optional<String> notice) {
        return new CpuKernelSelection(true, bits, nativeInt8, notice);
    }

    /** The scalar kernels everywhere: the fallback, and the reference tests compare the vector kernels with. */
    public static CpuKernelSelection scalar(Optional<String> notice) {
        return new CpuKernelSelection(false, VectorBitsProperty.PREFERRED, Optional.empty(), notice);
    }

    /** The same kernels, with w8a8 on the native kernels for {@code isa}, or on the Vector API's if empty. */
    public CpuKernelSelection withNativeInt8(Optional<NativeInt8Isa> isa) {
        return new CpuKernelSelection(vectorApi, vectorBits, vectorApi ? isa : Optional.empty(), notice);
    }

    /** The row-wise and attention kernels; stateless, so each backend (or other user) may have its own. */
    public CpuKernels kernels() {
        return vectorApi ? new VectorCpuKernels() : new ScalarCpuKernels();
    }
}
