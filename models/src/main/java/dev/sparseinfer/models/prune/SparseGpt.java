package dev.sparseinfer.models.prune;

import java.util.stream.IntStream;

/**
 * SparseGPT (Frantar and Alistarh 2023, Algorithm 1) for one linear layer: prunes the weights column by column in
 * blocks of 128, and after each column spreads the error of the pruned weights over the columns not yet visited,
 * through the upper Cholesky factor of the inverse Hessian {@code H = X^T X} of the layer's calibration inputs.
 * The mask is chosen per block (adaptive mask selection) from {@code w^2 / [H^-1]_jj^2}; for 2:4 per group of 4
 * as the group is reached. All arithmetic is float64.
 */
final class SparseGpt {

    static final int BLOCK = 128;
    /** Dampening added to H's diagonal, as a fraction of its mean, so the factorisation is stable. */
    static final double DAMP = 0.01;

    private SparseGpt() {}

    /**
     * The inverse-Hessian factor of one set of layer inputs, computed once and shared by every layer that reads
     * them (query, key and value share their input).
     *
     * @param inverse {@code (H + damp I)^-1}, {@code [in, in]}
     * @param u    upper Cholesky factor of {@code (H + damp I)^-1}
     * @param dead input features that never fired (zero Hessian diagonal): their weights are pruned freely
     */
    record Factor(int in, double[] inverse, double[] u, boolean[] dead) {}

    /** Factors {@code H = X^T X} ({@code [in, in]}, changed in place). */
    static Factor factor(double[] h, int in) {
        double meanDiag = 0;
        for (int j = 0; j < in; j++) {
            meanDiag += h[j * in + j] / in;
        }
        boolean[] dead = new boolean[in];
        for (int j = 0; j < in; j++) {
            if (h[j * in + j] == 0) {
                dead[j] = true;
                h[j * in + j] = 1;
            }
        }
        double damp = DAMP * (meanDiag > 0 ? meanDiag : 1);
        for (int j = 0; j < in; j++) {
            h[j * in + j] += damp;
        }
        double[] inverse = Cholesky.inverse(Cholesky.lower(h, in), in);
        return new Factor(in, inverse, Cholesky.upper(inverse, in), dead);
    }

    /**
     * The dense weights that, fed the pruned model's inputs {@code X_p}, best reproduce the dense model's outputs
     * {@code X_d W^T} (ridge least squares with the same dampening): {@code W* = W (X_d^T X_p) (H + damp I)^-1}.
     * Pruning W* instead of W makes SparseGPT's layer-wise objective the distance to the dense model's output
     * rather than to this layer's output on already-perturbed inputs, so errors of earlier layers are corrected
     * instead of carried along. {@code cross} is {@code X_d^T X_p}.
     */
    static double[] teacherTarget(double[] w, int out, double[] cross, Factor factor) {
        int in = factor.in();
        double[] wc = multiply(w, out, cross, in);
        return multiply(wc, out, factor.inverse(), in);
    }

    /** {@code a [rows, n]} times {@code b [n, n]}. */
    private static double[] multiply(double[] a, int rows, double[] b, int n) {
        double[] c = new double[rows * n];
        IntStream.range(0, rows).parallel().forEach(r -> {
            for (int k = 0; k < n; k++) {
                double v = a[r * n + k];
                if (v != 0) {
                    int bk = k * n;
                    int cr = r * n;
                    for (int j = 0; j < n; j++) {
                        c[cr + j] += v * b[bk + j];
                    }
                }
            }
        });
        return c;
    }

    /** Prunes {@code w} ({@code [out, in]}, changed in place) with the factor of its inputs' Hessian. */
    static void prune(double[] w, int out, Factor factor, boolean twoFour, double sparsity) {
        int in = factor.in();
        double[] u = factor.u();
        for (int j = 0; j < in; j++) {
            if (factor.dead()[j]) {
                for (int r = 0; r < out; r++) {
                    w[r * in + j] = 0;
                }
            }
        }
        long target = Math.round(sparsity * out * (double) in);
        long prunedSoFar = 0;
        for (int i1 = 0; i1 < in; i1 += BLOCK) {
            int i2 = Math.min(i1 + BLOCK, in);
            final int blockEnd = i2;
            int count = i2 - i1;
            double[] w1 = new double[out * count];
            for (int r = 0; r < out; r++) {
                System.arraycopy(w, r * in + i1, w1, r * count, count);
            }
            boolean[] mask = new boolean[out * count];
            if (!twoFour) {
                // Spread the layer's exact target over the blocks: this block's share, and the remainder at the end.
                long k = i2 == in ? target - prunedSoFar : Math.round(target * (double) i2 / in) - prunedSoFar;
                double[] scores = new double[out * count];
                for (int r = 0; r < out; r++) {
                    for (int c = 0; c < count; c++) {
                        double d = u[(i1 + c) * in + i1 + c];
                        double v = w1[r * count + c];
                        scores[r * count + c] = v * v / (d * d);
                    }
                }
                for (int idx : MaskSelection.lowest(scores, (int) k)) {
                    mask[idx] = true;
                }
                prunedSoFar += k;
            }
            double[] err = new double[out * count];
            double[] groupScores = new double[4];
            for (int c = 0; c < count; c++) {
                int col = i1 + c;
                if (twoFour && c % 4 == 0) {
                    for (int r = 0; r < out; r++) {
                        for (int j = 0; j < 4; j++) {
                            double d = u[(col + j) * in + col + j];
                            double v = w1[r * count + c + j];
                            groupScores[j] = v * v / (d * d);
                        }
                        MaskSelection.markTwoLowest(groupScores, 0, mask, r * count + c);
                    }
                }
                double d = u[col * in + col];
                for (int r = 0; r < out; r++) {
                    int at = r * count + c;
                    double wv = w1[at];
                    double q = mask[at] ? 0 : wv;
                    double e = (wv - q) / d;
                    w1[at] = q;
                    err[at] = e;
                    if (e != 0) {
                        int urow = col * in;
                        for (int j = c + 1; j < count; j++) {
                            w1[r * count + j] -= e * u[urow + i1 + j];
                        }
                    }
                }
            }
            final int blockStart = i1;
            IntStream.range(0, out).parallel().forEach(r -> {
                System.arraycopy(w1, r * count, w, r * in + blockStart, count);
                // Lazy batch update of the columns after this block: W[:, i2:] -= Err1 U[i1:i2, i2:].
                for (int c = 0; c < count; c++) {
                    double e = err[r * count + c];
                    if (e != 0) {
                        int urow = (blockStart + c) * in;
                        int wrow = r * in;
                        for (int j = blockEnd; j < in; j++) {
                            w[wrow + j] -= e * u[urow + j];
                        }
                    }
                }
            });
        }
    }
}
