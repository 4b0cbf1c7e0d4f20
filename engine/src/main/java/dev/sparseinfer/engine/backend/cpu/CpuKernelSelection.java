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
 * @param bf16Unavailable why the native bf16 kernel ({@link NativeBf16Linear}) cannot run here, in a few words;
 *                   empty where it can
 */
public record CpuKernelSelection(
        boolean vectorApi,
        int vectorBits,
        Optional<NativeInt8Isa> nativeInt8,
        Optional<String> notice,
        Optional<String> bf16Unavailable) {

    static CpuKernelSelection vector(
            int bits, Optional<NativeInt8Isa> nativeInt8, Optional<String> notice, Optional<String> bf16Unavailable) {
        return new CpuKernelSelection(true, bits, nativeInt8, notice, bf16Unavailable);
    }

    /** The scalar kernels everywhere: the fallback, and the reference tests compare the vector kernels with. */
    public static CpuKernelSelection scalar(Optional<String> notice) {
        return new CpuKernelSelection(
                false,
                VectorBitsProperty.PREFERRED,
                Optional.empty(),
                notice,
                Optional.of("the scalar kernels run every layer"));
    }

    /** The same kernels, with w8a8 on the native kernels for {@code isa}, or on the Vector API's if empty. */
    public CpuKernelSelection withNativeInt8(Optional<NativeInt8Isa> isa) {
        return new CpuKernelSelection(
                vectorApi, vectorBits, vectorApi ? isa : Optional.empty(), notice, bf16Unavailable);
    }

    /** Whether the native bf16 kernel runs dense fp32 layers asked to run at bf16 precision. */
    public boolean nativeBf16() {
        return vectorApi && bf16Unavailable.isEmpty();
    }

    /** The row-wise and attention kernels; stateless, so each backend (or other user) may have its own. */
    public CpuKernels kernels() {
        return vectorApi ? new VectorCpuKernels() : new ScalarCpuKernels();
    }
}
