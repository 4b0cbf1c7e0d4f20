package dev.sparseinfer.engine.backend.cpu;

import java.util.Optional;

/**
 * Which kernels the CPU backend runs, as {@link CpuKernelProvider} decided them.
 *
 * @param vectorApi  whether the Vector API kernels run; without them every layer is expanded to dense fp32 and run
 *                   by {@link ScalarCpuKernels}: slower, the same numbers to float rounding
 * @param vectorBits the vector width {@code -Dsparseinfer.cpu.vectorBits} asks for, or
 *                   {@link VectorBitsProperty#PREFERRED}; {@link CpuVectorShape} fixes the shape from it
 * @param notice     why the kernels are slower than this machine allows, in one line, if they are
 */
public record CpuKernelSelection(boolean vectorApi, int vectorBits, Optional<String> notice) {

    static CpuKernelSelection vector(int bits) {
        return new CpuKernelSelection(true, bits, Optional.empty());
    }

    /** The scalar kernels everywhere: the fallback, and the reference tests compare the vector kernels with. */
    public static CpuKernelSelection scalar(Optional<String> notice) {
        return new CpuKernelSelection(false, VectorBitsProperty.PREFERRED, notice);
    }

    /** The row-wise and attention kernels; stateless, so each backend (or other user) may have its own. */
    public CpuKernels kernels() {
        return vectorApi ? new VectorCpuKernels() : new ScalarCpuKernels();
    }
}
