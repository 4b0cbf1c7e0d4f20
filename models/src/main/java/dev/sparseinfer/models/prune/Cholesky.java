package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.stream.IntStream;

/** Dense symmetric positive-definite linear algebra in float64, row-major {@code n x n}: what SparseGPT needs. */
final class Cholesky {

    private Cholesky() {}

    /** Lower-triangular L with {@code a = L L^T} (a new array; a is not changed). */
    static double[] lower(double[] a, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) {
                d -= l[j * n + k] * l[j * n + k];
            }
            if (!(d > 0)) {
                throw new SparseInferException(
                        SparseInferException.Code.INVALID_ARGUMENT,
                        "Hessian is not positive definite at column " + j
                                + " (calibration data too small or degenerate)");
            }
            double ljj = Math.sqrt(d);
            l[j * n + j] = ljj;
            final int col = j;
            IntStream.range(j + 1, n).parallel().forEach(i -> {
                double s = a[i * n + col];
                int ri = i * n;
                int rj = col * n;
                for (int k = 0; k < col; k++) {
                    s -= l[ri + k] * l[rj + k];
                }
                l[ri + col] = s / ljj;
            });
        }
        return l;
    }

    /** {@code a^-1} from a's lower Cholesky factor L: {@code L^-T L^-1}. */
    static double[] inverse(double[] l, int n) {
        // Invert L column by column (forward substitution), stored transposed so rows are contiguous below.
        double[] linvT = new double[n * n];
        IntStream.range(0, n).parallel().forEach(c -> {
            for (int i = c; i < n; i++) {
                double s = i == c ? 1.0 : 0.0;
                int ri = i * n;
                for (int k = c; k < i; k++) {
                    s -= l[ri + k] * linvT[c * n + k];
                }
                linvT[c * n + i] = s / l[ri + i];
            }
        });
        // (L^-T L^-1)[i][j] = sum_k Linv[k][i] Linv[k][j] = sum_k linvT[i][k] linvT[j][k], k >= max(i, j).
        double[] inv = new double[n * n];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = i; j < n; j++) {
                double s = 0;
                int ri = i * n;
                int rj = j * n;
                for (int k = j; k < n; k++) {
                    s += linvT[ri + k] * linvT[rj + k];
                }
                inv[i * n + j] = s;
                inv[j * n + i] = s;
            }
        });
        return inv;
    }

    /** Upper-triangular U with {@code a = U^T U}. */
    static double[] upper(double[] a, int n) {
        double[] l = lower(a, n);
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                u[j * n + i] = l[i * n + j];
            }
        }
        return u;
    }
}
