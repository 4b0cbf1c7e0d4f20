package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;

/**
 * The matrix products training needs: {@code C = A B^T} with both operands row-major ({@code A [m, k]},
 * {@code B [n, k]}), run by the engine's dense linear kernel, and the products of a sparse weight matrix that skip
 * its pruned entries ({@link SparseKernels}): a linear layer's forward pass is {@code x W^T}, and
 * its two backward products take the same shape once one operand is transposed ({@code dX = dY (W^T)^T},
 * {@code dW = dY^T (X^T)^T}). Packing B for the kernel and transposing cost O(size) against the product's
 * O(size * m); the engine's kernel ran 15 to 20 times faster than a plain 4 x 4 block of vector dot products on the
 * MiniLM FFN shape. Its outputs do not depend on the thread count, so neither does training.
 */
final class Matmul implements AutoCloseable {

    private final CpuBackend cpu;
    private final Parallel parallel;

    Matmul(int threads) {
        this.cpu = new CpuBackend(threads);
        this.parallel = new Parallel(threads);
    }

    /** {@link SparseKernels#rowsTimes} on this product's threads. */
    void sparseRowsTimes(int[] start, int[] src, int[] index, float[] coef, float[] in, int tokens, float[] out) {
        SparseKernels.rowsTimes(start, src, index, coef, in, tokens, out, parallel);
    }

    /** {@link SparseKernels#rowDots} on this product's threads. */
    void sparseRowDots(int[] start, int[] cols, int[] index, float[] a, float[] b, int tokens, float[] grad) {
        SparseKernels.rowDots(start, cols, index, a, b, tokens, grad, parallel);
    }

    /** {@code c[i, j] = (accumulate ? c[i, j] : 0) + bias[j] + sum_t a[i, t] b[j, t]}; bias may be null. */
    void abT(float[] a, int m, int k, float[] b, int n, float[] bias, float[] c, boolean accumulate) {
        PreparedLinear layer = cpu.prepare(
                new Linear("product", new DenseWeights(new FloatMatrix(n, k, b)), bias == null ? new float[n] : bias));
        Activations out = cpu.allocate(m, n);
        cpu.linear(layer, cpu.upload(a, m, k), ActivationFunction.NONE, out);
        float[] y = cpu.read(out);
        if (accumulate) {
            for (int i = 0; i < m * n; i++) {
                c[i] += y[i];
            }
        } else {
            System.arraycopy(y, 0, c, 0, m * n);
        }
    }

    /** {@code [rows, cols]} row-major to {@code [cols, rows]}, into {@code out}. */
    static void transpose(float[] x, int rows, int cols, float[] out) {
        for (int r0 = 0; r0 < rows; r0 += 16) {
            int r1 = Math.min(rows, r0 + 16);
            for (int c0 = 0; c0 < cols; c0 += 16) {
                int c1 = Math.min(cols, c0 + 16);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        out[c * rows + r] = x[r * cols + c];
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        cpu.close();
        parallel.close();
    }
}
