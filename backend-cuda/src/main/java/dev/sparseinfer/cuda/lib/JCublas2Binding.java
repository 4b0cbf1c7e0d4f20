package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.cuda.NativeAddress;
import java.nio.file.Path;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

/**
 * cuBLAS through JCublas2, whose natives link {@code libcublas.so.12}. Touching {@link JCublas2} loads those
 * natives, so only {@link #open} does, after the library itself is in the process. JCublas2's own exceptions stay
 * off: every status is checked here, to name the function that failed.
 */
final class JCublas2Binding implements Cublas {

    private static final CublasStatusText STATUS = CublasStatusText.fromTable();

    private final String binding;
    private final cublasHandle handle;
    private final int[] alpha = new int[1];
    private final int[] beta = new int[1];
    private final Pointer alphaPointer = Pointer.to(alpha);
    private final Pointer betaPointer = Pointer.to(beta);
    private boolean closed;

    private JCublas2Binding(Path library, cublasHandle handle) {
        this.binding = "JCublas2 " + library;
        this.handle = handle;
    }

    /**
     * Creates a handle; throws {@link UnsatisfiedLinkError} (or {@link NoClassDefFoundError} after a first failure)
     * where JCublas2's natives cannot link.
     */
    static JCublas2Binding open(Path library) {
        cublasHandle handle = new cublasHandle();
        STATUS.check("cublasCreate_v2", JCublas2.cublasCreate(handle));
        return new JCublas2Binding(library, handle);
    }

    @Override
    public String binding() {
        return binding;
    }

    @Override
    public void setStream(long stream) {
        STATUS.check("cublasSetStream_v2", JCublas2.cublasSetStream(handle, NativeAddress.stream(stream)));
    }

    @Override
    public void gemmEx(
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
            ComputeType compute) {
        this.alpha[0] = CublasArguments.scaleBits(compute, alpha);
        this.beta[0] = CublasArguments.scaleBits(compute, beta);
        STATUS.check(
                "cublasGemmEx",
                JCublas2.cublasGemmEx(
                        handle,
                        transA.code,
                        transB.code,
                        m,
                        n,
                        k,
                        alphaPointer,
                        NativeAddress.pointer(a),
                        aType.code,
                        lda,
                        NativeAddress.pointer(b),
                        bType.code,
                        ldb,
                        betaPointer,
                        NativeAddress.pointer(c),
                        cType.code,
                        ldc,
                        legacyComputeType(compute),
                        CublasArguments.GEMM_DEFAULT_ALGO));
    }

    /**
     * The compute type as JCublas2 must pass it. Its natives call the C++ overload of {@code cublasGemmEx} in
     * {@code cublas_api.h} that takes the compute type as a {@code cudaDataType} and migrates it, after asking
     * {@code cublasGetMathMode}: {@code CUDA_R_32F} becomes {@code CUBLAS_COMPUTE_32F}, {@code CUDA_R_32I}
     * becomes {@code CUBLAS_COMPUTE_32I}, and a {@code cublasComputeType_t} code is answered with
     * {@code CUBLAS_STATUS_NOT_SUPPORTED}.
     */
    static int legacyComputeType(ComputeType compute) {
        return switch (compute) {
            case F32 -> DataType.F32.code;
            case I32 -> DataType.I32.code;
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            STATUS.check("cublasDestroy_v2", JCublas2.cublasDestroy(handle));
        }
    }
}
