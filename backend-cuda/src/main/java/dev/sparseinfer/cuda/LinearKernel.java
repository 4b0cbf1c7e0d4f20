package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.kernels.KernelName;

/**
 * Which device kernel runs a linear layer of each weight format, and the weights it is given: the one place the
 * CUDA backend dispatches on format.
 *
 * <p>Int8 formats without a device kernel of their own are dequantised once, at prepare time, into the fp16
 * format of the same sparsity: weight-only dense int8 into fp16 dense (cuBLAS), CSR int8 into fp16 CSR
 * (cuSPARSE) and 2:4 int8 into fp16 2:4 (our {@code mma.sp} kernel; the s8 {@code m16n8k64} variant is not
 * built). They keep the int8 weights' values, not their smaller size, and their activations are not quantised:
 * on the device a CSR or 2:4 w8a8 layer computes what its weights say with fp16 activations.
 */
enum LinearKernel {
    /** {@code cublasGemmEx}, fp16 operands, fp32 compute and output, then the bias + activation kernel. */
    CUBLAS_HALF,
    /** cuSPARSE SpMM on fp16 CSR values and fp16 activations, fp32 compute and output, then bias + activation. */
    CUSPARSE_HALF,
    /** {@code si_twofour_gemm} / {@code si_twofour_small_n}, bias and activation fused. */
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
     * The weights this kernel is given: the layer's own, or their fp32 dequantisation in the format of the same
     * sparsity (rounded to fp16 at upload).
     */
    static LinearWeights deviceWeights(LinearWeights weights) {
        return switch (weights) {
            case Int8Weights q when q.scales().scheme() == Int8Scheme.W8 -> new DenseWeights(q.toDense());
            case CsrInt8Weights q -> new CsrWeights(q.pattern(), dequantize(q.values(), q.scales().scales(),
                    rowOfEachValue(q.pattern().rowPtr(), q.values().length)));
            case TwoFourInt8Weights q -> new TwoFourWeights(q.pattern(), dequantize(q.values(), q.scales().scales(),
                    twoFourRowOfEachValue(q.outFeatures(), q.inFeatures())));
            default -> weights;
        };
    }

    /** The 2:4 kernel for a token count. */
    static KernelName twoFourKernel(int tokens) {
        return tokens <= SMALL_N_MAX_TOKENS ? KernelName.TWOFOUR_SMALL_N : KernelName.TWOFOUR_GEMM;
    }

    private static float[] dequantize(byte[] values, float[] scales, int[] rowOf) {
        float[] out = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k] * scales[rowOf[k]];
        }
        return out;
    }

    private static int[] rowOfEachValue(int[] rowPtr, int count) {
        int[] rows = new int[count];
        for (int o = 0; o + 1 < rowPtr.length; o++) {
            for (int k = rowPtr[o]; k < rowPtr[o + 1]; k++) {
                rows[k] = o;
            }
        }
        return rows;
    }

    /** A 2:4 row of {@code in} inputs keeps {@code in / 2} values, stored row after row. */
    private static int[] twoFourRowOfEachValue(int out, int in) {
        int perRow = in / 2;
        int[] rows = new int[out * perRow];
        for (int k = 0; k < rows.length; k++) {
            rows[k] = k / perRow;
        }
        return rows;
    }
}
