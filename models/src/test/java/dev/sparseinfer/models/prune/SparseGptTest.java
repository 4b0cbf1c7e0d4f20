package dev.sparseinfer.models.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseGptTest {

    /** Correlated inputs, where weight updates matter: x = z A with a random mixing matrix A. */
    private static double[] correlatedInputs(Random random, int rows, int cols) {
        double[] mix = new double[cols * cols];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = random.nextGaussian();
        }
        double[] x = new double[rows * cols];
        for (int t = 0; t < rows; t++) {
            double[] z = new double[cols];
            for (int j = 0; j < cols; j++) {
                z[j] = random.nextGaussian() * (1 + j % 5);
            }
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < cols; k++) {
                    s += z[k] * mix[k * cols + j];
                }
                x[t * cols + j] = s;
            }
        }
        return x;
    }

    private static double[] gram(double[] x, int rows, int cols) {
        double[] h = new double[cols * cols];
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < cols; j++) {
                    h[i * cols + j] += x[t * cols + i] * x[t * cols + j];
                }
            }
        }
        return h;
    }

    /** ||X W^T - X V^T||^2 over the calibration rows. */
    private static double outputError(double[] x, int rows, double[] w, double[] v, int out, int in) {
        double e = 0;
        for (int t = 0; t < rows; t++) {
            for (int o = 0; o < out; o++) {
                double d = 0;
                for (int i = 0; i < in; i++) {
                    d += x[t * in + i] * (w[o * in + i] - v[o * in + i]);
                }
                e += d * d;
            }
        }
        return e;
    }

    @Test
    void beatsMagnitudeOnReconstructionErrorAndHitsTheExactSparsity() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int out = 24;
        int in = 300; // more than two blocks of 128, not a multiple of it
        int rows = 600;
        double[] x = correlatedInputs(random, rows, in);
        double[] w = new double[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextGaussian();
        }
        for (boolean twoFour : new boolean[] {false, true}) {
            double[] sparse = w.clone();
            SparseGpt.prune(sparse, out, SparseGpt.factor(gram(x, rows, in), in), twoFour, 0.5);
            double[] magnitude = w.clone();
            double[] scores = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                scores[i] = Math.abs(w[i]);
            }
            boolean[] mask =
                    twoFour ? MaskSelection.twoFour(scores, out, in) : MaskSelection.perRow(scores, out, in, 0.5);
            for (int i = 0; i < w.length; i++) {
                if (mask[i]) {
                    magnitude[i] = 0;
                }
            }
            double sparseError = outputError(x, rows, w, sparse, out, in);
            double magnitudeError = outputError(x, rows, w, magnitude, out, in);
            assertTrue(
                    sparseError < 0.8 * magnitudeError,
                    "2:4=" + twoFour + ": SparseGPT error " + sparseError + " vs magnitude " + magnitudeError
                            + " (seed=" + seed + ")");
            int zeros = 0;
            for (double v : sparse) {
                zeros += v == 0 ? 1 : 0;
            }
            assertEquals(out * in / 2, zeros, "2:4=" + twoFour + " seed=" + seed);
            if (twoFour) {
                for (int g = 0; g < out * in / 4; g++) {
                    int kept = 0;
                    for (int j = 0; j < 4; j++) {
                        kept += sparse[4 * g + j] != 0 ? 1 : 0;
                    }
                    assertEquals(2, kept, "group " + g + " seed=" + seed);
                }
            }
        }
    }

    @Test
    void choleskyInverseInvertsASymmetricPositiveDefiniteMatrix() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int n = 37;
        double[] x = correlatedInputs(random, 80, n);
        double[] a = gram(x, 80, n);
        for (int i = 0; i < n; i++) {
            a[i * n + i] += 1;
        }
        double[] inv = Cholesky.inverse(Cholesky.lower(a, n), n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * inv[k * n + j];
                }
                assertEquals(i == j ? 1 : 0, s, 1e-8, "(A A^-1)[" + i + "][" + j + "] seed=" + seed);
            }
        }
        double[] u = Cholesky.upper(a, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += u[k * n + i] * u[k * n + j];
                }
                assertEquals(a[i * n + j], s, 1e-8 * Math.abs(a[i * n + i]), "U^T U seed=" + seed);
            }
        }
    }
}
