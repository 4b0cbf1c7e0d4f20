package dev.sparseinfer.cuda;

import static dev.sparseinfer.cuda.KernelArguments.Kind.FLOAT;
import static dev.sparseinfer.cuda.KernelArguments.Kind.INT;
import static dev.sparseinfer.cuda.KernelArguments.Kind.POINTER;

import dev.sparseinfer.cuda.KernelArguments.Kind;
import dev.sparseinfer.kernels.KernelName;
import java.util.List;

/**
 * The parameter list of every kernel, as declared in {@code kernels/src/main/cuda}. A launch whose arguments do
 * not match is refused before it reaches the driver, which would read garbage without complaint; a test checks
 * this table against the CUDA sources.
 */
final class KernelSignatures {

    private KernelSignatures() {}

    static List<Kind> of(KernelName kernel) {
        return switch (kernel) {
            case F32_TO_F16_PADDED -> List.of(POINTER, POINTER, INT, INT, INT);
            case BIAS_ACTIVATION -> List.of(POINTER, POINTER, POINTER, POINTER, INT, INT, INT);
            case EMBED -> List.of(POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, INT, INT);
            case ADD_LAYERNORM -> List.of(POINTER, POINTER, POINTER, POINTER, POINTER, INT, FLOAT);
            case POOL -> List.of(POINTER, POINTER, POINTER, POINTER, INT, INT, INT);
            case ATTENTION -> List.of(POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, INT, INT, FLOAT);
            case TWOFOUR_GEMM, TWOFOUR_SMALL_N ->
                List.of(POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, INT, INT, INT, INT);
            case QUANTIZE_ROWS_INT8, QUANTIZE_ROWS_HALF -> List.of(POINTER, POINTER, POINTER, INT, INT);
            case INT8_GEMM -> List.of(POINTER, POINTER, POINTER, POINTER, POINTER, POINTER, INT, INT, INT, INT);
        };
    }

    static void check(KernelName kernel, KernelArguments arguments) {
        if (!of(kernel).equals(arguments.kinds())) {
            throw new IllegalArgumentException(
                    kernel.symbol() + " takes " + of(kernel) + ", was given " + arguments.kinds());
        }
    }
}
