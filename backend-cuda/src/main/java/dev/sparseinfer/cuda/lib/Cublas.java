package dev.sparseinfer.cuda.lib;

/**
 * The few cuBLAS entry points the CUDA backend calls, whichever binding reached the library: JCublas2 where
 * {@code libcublas.so.12} loads, the JDK's FFM API on hosts with only {@code libcublas.so.13}. Device memory and
 * streams are passed as raw addresses (see {@code NativeAddress}); matrices are column-major, as in cuBLAS itself.
 * One instance wraps one cuBLAS handle and is used by one thread at a time.
 */
public interface Cublas extends AutoCloseable {

    /** Which binding and library file this instance uses, for logs and the inventory. */
    String binding();

    /** Runs every later call on this stream ({@code cublasSetStream}); 0 is the default stream. */
    void setStream(long stream);

    /**
     * {@code C = alpha op(A) op(B) + beta C} through {@code cublasGemmEx} with the default algorithm. {@code alpha}
     * and {@code beta} are host values of the compute type's scale type (fp32 for {@link ComputeType#F32}, int32
     * for {@link ComputeType#I32}).
     */
    void gemmEx(
            Transpose transA,
            Transpose transB,
            int m,
            int n,
            int k,
            float alpha,
            long a,
            DataType aType,
            int lda,
            long b,
            DataType bType,
            int ldb,
            float beta,
            long c,
            DataType cType,
            int ldc,
            ComputeType compute);

    @Override
    void close();

    enum Transpose {
        N(0),
        T(1);

        public final int code;

        Transpose(int code) {
            this.code = code;
        }
    }

    /** {@code cublasComputeType_t}. */
    enum ComputeType {
        F32(68),
        I32(72);

        public final int code;

        ComputeType(int code) {
            this.code = code;
        }
    }
}
