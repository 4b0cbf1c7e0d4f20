package dev.sparseinfer.models.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one matrix product training needs, {@code C = A B^T} with both operands row-major ({@code A [m, k]},
 * {@code B [n, k]}): a linear layer's forward pass is {@code x W^T}, and its two backward products become the same
 * shape once one operand is transposed ({@code dX = dY (W^T)^T}, {@code dW = dY^T (X^T)^T}), which costs a copy of
 * O(size) against the product's O(size * k).
 */
final class Matmul {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private Matmul() {}

    /**
     * {@code c[i, j] = (accumulate ? c[i, j] : 0) + bias[j] + sum_t a[i, t] b[j, t]}; bias may be null. Each element
     * is summed in the same order whatever the thread count.
     */
    static void abT(
            float[] a, int m, int k, float[] b, int n, float[] bias, float[] c, boolean accumulate, Parallel parallel) {
        int rowBlocks = (m + 3) / 4;
        parallel.range(rowBlocks, (from, to) -> {
            for (int rb = from; rb < to; rb++) {
                int i0 = rb * 4;
                int rows = Math.min(4, m - i0);
                for (int j0 = 0; j0 < n; j0 += 4) {
                    int cols = Math.min(4, n - j0);
                    if (rows == 4 && cols == 4) {
                        block4x4(a, i0, k, b, j0, bias, c, n, accumulate);
                    } else {
                        for (int i = i0; i < i0 + rows; i++) {
                            for (int j = j0; j < j0 + cols; j++) {
                                float s = dot(a, i * k, b, j * k, k);
                                float base = accumulate ? c[i * n + j] : 0f;
                                c[i * n + j] = base + (bias == null ? 0f : bias[j]) + s;
                            }
                        }
                    }
                }
            }
        });
    }

    /** A 4 x 4 block of dot products: each loaded vector of A or B feeds four FMAs. */
    private static void block4x4(
            float[] a, int i0, int k, float[] b, int j0, float[] bias, float[] c, int n, boolean accumulate) {
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int a0 = i0 * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        int b0 = j0 * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        int bound = SPECIES.loopBound(k);
        int t = 0;
        for (; t < bound; t += LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + t);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + t);
            FloatVector x2 = FloatVector.fromArray(SPECIES, a, a2 + t);
            FloatVector x3 = FloatVector.fromArray(SPECIES, a, a3 + t);
            FloatVector w = FloatVector.fromArray(SPECIES, b, b0 + t);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            s20 = x2.fma(w, s20);
            s30 = x3.fma(w, s30);
            w = FloatVector.fromArray(SPECIES, b, b1 + t);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            s21 = x2.fma(w, s21);
            s31 = x3.fma(w, s31);
            w = FloatVector.fromArray(SPECIES, b, b2 + t);
            s02 = x0.fma(w, s02);
            s12 = x1.fma(w, s12);
            s22 = x2.fma(w, s22);
            s32 = x3.fma(w, s32);
            w = FloatVector.fromArray(SPECIES, b, b3 + t);
            s03 = x0.fma(w, s03);
            s13 = x1.fma(w, s13);
            s23 = x2.fma(w, s23);
            s33 = x3.fma(w, s33);
        }
        FloatVector[] s = {s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33};
        float[] lanes = new float[LANES];
        for (int r = 0; r < 4; r++) {
            int ar = a0 + r * k;
            for (int q = 0; q < 4; q++) {
                int bq = b0 + q * k;
                float sum = sumLanes(s[r * 4 + q], lanes);
                for (int u = t; u < k; u++) {
                    sum += a[ar + u] * b[bq + u];
                }
                int at = (i0 + r) * n + j0 + q;
                float base = accumulate ? c[at] : 0f;
                c[at] = base + (bias == null ? 0f : bias[j0 + q]) + sum;
            }
        }
    }

    /** The same sum, in the same order, as one element of {@link #block4x4}. */
    private static float dot(float[] a, int aAt, float[] b, int bAt, int k) {
        FloatVector s = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(k);
        int t = 0;
        for (; t < bound; t += LANES) {
            s = FloatVector.fromArray(SPECIES, a, aAt + t).fma(FloatVector.fromArray(SPECIES, b, bAt + t), s);
        }
        float sum = sumLanes(s, new float[LANES]);
        for (; t < k; t++) {
            sum += a[aAt + t] * b[bAt + t];
        }
        return sum;
    }

    /**
     * The lanes' sum, added first to last. {@code reduceLanes(ADD)} leaves the order open, and its compiled form and
     * its Java fallback (what runs before C2 compiles the kernel) differ: a training run would not repeat itself
     * bit for bit.
     */
    private static float sumLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float sum = 0;
        for (float lane : scratch) {
            sum += lane;
        }
        return sum;
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
}
