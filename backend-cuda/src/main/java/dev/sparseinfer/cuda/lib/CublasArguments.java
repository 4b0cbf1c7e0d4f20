package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.engine.api.SparseInferException;

/** The {@code cublasGemmEx} arguments both bindings derive alike, so there is one place to get each right. */
final class CublasArguments {

    /** {@code CUBLAS_GEMM_DEFAULT}: cuBLAS picks the algorithm. */
    static final int GEMM_DEFAULT_ALGO = -1;

    private CublasArguments() {}

    /**
     * alpha or beta as cuBLAS reads it: four bytes of the compute type's scale type, an fp32 for
     * {@code CUBLAS_COMPUTE_32F} and an int32 for {@code CUBLAS_COMPUTE_32I}, passed as an {@code int} either way.
     */
    static int scaleBits(Cublas.ComputeType compute, float value) {
        return switch (compute) {
            case F32 -> Float.floatToRawIntBits(value);
            case I32 -> {
                int integer = (int) value;
                if (integer != value) {
                    throw SparseInferException.invalidArgument(
                            "cuda: an int32 GEMM scales by whole numbers only, got " + value);
                }
                yield integer;
            }
        };
    }
}
