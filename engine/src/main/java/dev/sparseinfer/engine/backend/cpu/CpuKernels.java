package dev.sparseinfer.engine.backend.cpu;

/**
 * The CPU backend's row-wise and attention kernels. Two implementations sit side by side: {@link ScalarCpuKernels},
 * plain Java accumulating in float64, which is the test oracle and the fallback when the Vector API module is
 * absent, and {@link VectorCpuKernels}, on the JDK's Vector API. {@link CpuKernelProvider} picks one once. Linear layers have
 * their own prepared kernels, one per weight format ({@link DenseLinear}, {@link CsrLinear},
 * {@link Int8DenseLinear}); their oracle is {@link ScalarCpuKernels#linear}.
 *
 * <p>All matrices are row-major float arrays; ranges let the backend split work across threads.
 */
public interface CpuKernels {

    /** Name shown in the backend's description, e.g. {@code "Vector API, 256-bit"}. */
    String name();

    /**
     * {@code out[r] = LayerNorm(x[r] + residual[r]) * gamma + beta} for rows {@code rowFrom..rowTo-1} of width
     * {@code cols}; residual may be null; out may be x.
     */
    void addLayerNorm(
            float[] x,
            float[] residual,
            float[] gamma,
            float[] beta,
            float eps,
            int cols,
            int rowFrom,
            int rowTo,
            float[] out);

    /** {@code sum_i a[aOffset + i] * b[bOffset + i]} for {@code i < length}. */
    float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

    /** In-place softmax of {@code v[offset .. offset + length - 1]}. */
    void softmax(float[] v, int offset, int length);

    /**
     * One head of scaled dot-product attention over one sequence: for every row {@code i} in
     * {@code [start, start + length)}, {@code out[i, col .. col+headDim) = sum_j softmax_j(scale * q_i . k_j) v_j},
     * with {@code q_i = q[i, col .. col+headDim)} and likewise for k and v; all four are row-major with rows of
     * {@code width}. A non-null {@code biasByDistance} is added to the scaled scores before the softmax:
     * {@code biasByDistance[j - i + length - 1]}, with {@code i} and {@code j} counted from the sequence's start.
     */
    void attentionHead(
            float[] q,
            float[] k,
            float[] v,
            int width,
            int col,
            int headDim,
            int start,
            int length,
            float scale,
            float[] biasByDistance,
            float[] out);
}
