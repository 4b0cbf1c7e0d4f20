package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * Plain-Java kernels that accumulate in float64 and use an exact erf: the oracle every faster kernel is tested
 * against, and the fallback when the Vector API is unavailable.
 */
public final class ScalarCpuKernels implements CpuKernels {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    @Override
    public String name() {
        return "scalar";
    }

    /**
     * {@code y[r, o] = act(b[o] + sum_i x[r, i] * w[o, i])} for rows {@code 0..rows-1} and outputs
     * {@code outFrom..outTo-1}; x is {@code [rows, in]}, w is {@code [out, in]}, y is {@code [rows, out]}: the oracle
     * of every linear-layer kernel, and the dense kernel when the Vector API is absent.
     */
    public void linear(
            float[] x,
            int rows,
            int in,
            float[] w,
            float[] bias,
            int out,
            int outFrom,
            int outTo,
            ActivationFunction activation,
            float[] y) {
        for (int r = 0; r < rows; r++) {
            for (int o = outFrom; o < outTo; o++) {
                double acc = bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = (float) activate(acc, activation);
            }
        }
    }

    static double activate(double v, ActivationFunction activation) {
        return switch (activation) {
            case NONE -> v;
            case GELU -> gelu(v);
        };
    }

    static double gelu(double v) {
        return 0.5 * v * (1.0 + Erf.erf(v * INV_SQRT2));
    }

    @Override
    public void addLayerNorm(
            float[] x,
            float[] residual,
            float[] gamma,
            float[] beta,
            float eps,
            int cols,
            int rowFrom,
            int rowTo,
            float[] out) {
        double[] sum = new double[cols];
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * cols;
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                sum[c] = residual == null ? x[base + c] : (double) x[base + c] + residual[base + c];
                mean += sum[c];
            }
            mean /= cols;
            double variance = 0;
            for (int c = 0; c < cols; c++) {
                double d = sum[c] - mean;
                variance += d * d;
            }
            variance /= cols;
            double inv = 1.0 / Math.sqrt(variance + eps);
            for (int c = 0; c < cols; c++) {
                out[base + c] = (float) ((sum[c] - mean) * inv * gamma[c] + beta[c]);
            }
        }
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        double acc = 0;
        for (int i = 0; i < length; i++) {
            acc += (double) a[aOffset + i] * b[bOffset + i];
        }
        return (float) acc;
    }

    @Override
    public void softmax(float[] v, int offset, int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, v[offset + i]);
        }
        double[] e = new double[length];
        double sum = 0;
        for (int i = 0; i < length; i++) {
            e[i] = Math.exp(v[offset + i] - max);
            sum += e[i];
        }
        for (int i = 0; i < length; i++) {
            v[offset + i] = (float) (e[i] / sum);
        }
    }

    @Override
    public void attentionHead(
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
            float[] out) {
        float[] scores = Scratch.floats(Scratch.Use.ROW, length);
        for (int i = start; i < start + length; i++) {
            for (int j = 0; j < length; j++) {
                scores[j] = scale * dot(q, i * width + col, k, (start + j) * width + col, headDim);
            }
            if (biasByDistance != null) {
                addBias(biasByDistance, i - start, length, scores, 0);
            }
            softmax(scores, 0, length);
            for (int d = 0; d < headDim; d++) {
                double acc = 0;
                for (int j = 0; j < length; j++) {
                    acc += (double) scores[j] * v[(start + j) * width + col + d];
                }
                out[i * width + col + d] = (float) acc;
            }
        }
    }

    /** Adds query {@code i}'s bias by distance to its scores from {@code at}; shared with the vector kernels. */
    static void addBias(float[] biasByDistance, int i, int length, float[] scores, int at) {
        int first = length - 1 - i;
        for (int j = 0; j < length; j++) {
            scores[at + j] += biasByDistance[first + j];
        }
    }
}
