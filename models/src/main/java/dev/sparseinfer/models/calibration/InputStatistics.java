package dev.sparseinfer.models.calibration;

import dev.sparseinfer.engine.backend.cpu.CpuKernelProvider;
import dev.sparseinfer.engine.backend.cpu.CpuKernels;
import java.util.stream.IntStream;

/** Second moments of a layer's inputs over calibration tokens: what Wanda and SparseGPT score weights with. */
public final class InputStatistics {

    private InputStatistics() {}

    /** The mean of each input feature over the rows, in float64. */
    public static double[] mean(float[] x, int rows, int cols) {
        double[] m = new double[cols];
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < cols; j++) {
                m[j] += x[t * cols + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            m[j] /= rows;
        }
        return m;
    }

    /** {@code sum_t x[t, j]^2} per input feature j, in float64. */
    public static double[] squaredNorms(float[] x, int rows, int cols) {
        double[] s = new double[cols];
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < cols; j++) {
                double v = x[t * cols + j];
                s[j] += v * v;
            }
        }
        return s;
    }

    /**
     * {@code H = X^T X} ({@code [cols, cols]}, float64). The products run on the CPU kernels over the transposed
     * input (contiguous per feature); a float32 dot over a few thousand tokens is accurate to about 1e-5 relative,
     * far inside the 1% dampening SparseGPT adds.
     */
    public static double[] gram(float[] x, int rows, int cols) {
        float[] xt = transpose(x, rows, cols);
        CpuKernels kernels = CpuKernelProvider.selection().kernels();
        double[] h = new double[cols * cols];
        IntStream.range(0, cols).parallel().forEach(i -> {
            for (int j = i; j < cols; j++) {
                double v = kernels.dot(xt, i * rows, xt, j * rows, rows);
                h[i * cols + j] = v;
                h[j * cols + i] = v;
            }
        });
        return h;
    }

    /** {@code A^T B} ({@code [cols, cols]}, float64) of two inputs with the same rows (tokens). */
    public static double[] crossGram(float[] a, float[] b, int rows, int cols) {
        float[] at = transpose(a, rows, cols);
        float[] bt = transpose(b, rows, cols);
        CpuKernels kernels = CpuKernelProvider.selection().kernels();
        double[] c = new double[cols * cols];
        IntStream.range(0, cols).parallel().forEach(i -> {
            for (int j = 0; j < cols; j++) {
                c[i * cols + j] = kernels.dot(at, i * rows, bt, j * rows, rows);
            }
        });
        return c;
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] xt = new float[rows * cols];
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < cols; j++) {
                xt[j * rows + t] = x[t * cols + j];
            }
        }
        return xt;
    }
}
