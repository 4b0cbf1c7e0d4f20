package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scales;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.kernels.KernelName;
import java.util.Optional;

/**
 * Which device kernel runs a linear layer of each weight format, and what it is given: the one place the CUDA
 * backend dispatches on format.
 *
 * <p>Dense w8a8 has a kernel of its own (int8 {@code __dp4a}, int32 sums). Every other int8 format runs the fp16
 * kernel of its sparsity on its integers, which fp16 holds exactly, with the scales applied in the epilogue and,
 * under w8a8, each token quantised first ({@link HalfOperands}): the CPU backend's arithmetic, not that of
 * dequantised weights.
 */
enum LinearKernel {
    /** {@code cublasGemmEx}, fp16 operands, fp32 compute and output, then the epilogue kernel. */
    CUBLAS_HALF,
    /** cuSPARSE SpMM on fp16 CSR values and fp16 activations, fp32 compute and output, then the epilogue kernel. */
    CUSPARSE_HALF,
    /** {@code si_twofour_gemm} / {@code si_twofour_small_n}, epilogue fused. */
    TWO_FOUR_SPARSE_TENSOR_CORES,
    /** {@code si_quantize_rows_int8} then {@code si_int8_gemm}, rescale, bias and activation fused. */
    INT8_DP4A;

    /** Up to this many tokens the 2:4 layer is memory-bound and runs the GEMV-style kernel. */
    static final int SMALL_N_MAX_TOKENS = 16;

    static LinearKernel forFormat(LinearWeights weights) {
        return switch (weights) {
            case DenseWeights d -> CUBLAS_HALF;
            case Int8Weights q -> q.scales().scheme() == Int8Scheme.W8A8 ? INT8_DP4A : CUBLAS_HALF;
            case CsrWeights c -> CUSPARSE_HALF;
            case CsrInt8Weights q -> CUSPARSE_HALF;
            case TwoFourWeights t -> TWO_FOUR_SPARSE_TENSOR_CORES;
            case TwoFourInt8Weights q -> TWO_FOUR_SPARSE_TENSOR_CORES;
        };
    }

    /**
     * The weights this kernel is given: the layer's own, or for an int8 format on an fp16 kernel its integers
     * (as floats, rounded to fp16 at upload without loss) in the format of the same sparsity.
     */
    static LinearWeights deviceWeights(LinearWeights weights) {
        return switch (weights) {
            case Int8Weights q
            when q.scales().scheme() == Int8Scheme.W8 ->
                new DenseWeights(new FloatMatrix(q.outFeatures(), q.inFeatures(), integers(q.values())));
            case CsrInt8Weights q -> new CsrWeights(q.pattern(), integers(q.values()));
            case TwoFourInt8Weights q -> new TwoFourWeights(q.pattern(), integers(q.values()));
            default -> weights;
        };
    }

    /** The scales of an int8 format that runs on an fp16 kernel ({@link #deviceWeights} gave its integers). */
    static Optional<Int8Scales> epilogueScales(LinearWeights weights) {
        return switch (weights) {
            case Int8Weights q when q.scales().scheme() == Int8Scheme.W8 -> Optional.of(q.scales());
            case CsrInt8Weights q -> Optional.of(q.scales());
            case TwoFourInt8Weights q -> Optional.of(q.scales());
            default -> Optional.empty();
        };
    }

    /** The 2:4 kernel for a token count. */
    static KernelName twoFourKernel(int tokens) {
        return tokens <= SMALL_N_MAX_TOKENS ? KernelName.TWOFOUR_SMALL_N : KernelName.TWOFOUR_GEMM;
    }

    private static float[] integers(byte[] values) {
        float[] out = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }
}
