package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.Erf;

/**
 * The training ops' forward passes in float64, written as directly as the math reads: the functions whose central
 * finite differences the backward passes are checked against.
 */
final class Float64Reference {

    private Float64Reference() {}

    static double[] linear(double[] x, int rows, double[] w, double[] b, int out, int in) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    static double[] layerNorm(double[] x, int rows, double[] gamma, double[] beta, double eps) {
        int cols = gamma.length;
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                mean += x[r * cols + c] / cols;
            }
            double var = 0;
            for (int c = 0; c < cols; c++) {
                var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean) / cols;
            }
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = (x[r * cols + c] - mean) / Math.sqrt(var + eps) * gamma[c] + beta[c];
            }
        }
        return y;
    }

    static double[] gelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 0.5 * x[i] * (1 + Erf.erf(x[i] / Math.sqrt(2)));
        }
        return y;
    }

    static double[] attention(double[] q, double[] k, double[] v, int heads, int width, TokenBatch batch) {
        int headDim = width / heads;
        double[] ctx = new double[q.length];
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts()[s];
            int len = batch.lengths()[s];
            for (int h = 0; h < heads; h++) {
                for (int i = start; i < start + len; i++) {
                    double[] p = new double[len];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < len; j++) {
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += q[i * width + h * headDim + d] * k[(start + j) * width + h * headDim + d];
                        }
                        p[j] = dot / Math.sqrt(headDim);
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < len; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int j = 0; j < len; j++) {
                        for (int d = 0; d < headDim; d++) {
                            ctx[i * width + h * headDim + d] += p[j] / sum * v[(start + j) * width + h * headDim + d];
                        }
                    }
                }
            }
        }
        return ctx;
    }

    static double[] meanPool(double[] h, int cols, TokenBatch batch) {
        double[] pooled = new double[batch.sequences() * cols];
        for (int s = 0; s < batch.sequences(); s++) {
            for (int t = batch.starts()[s]; t < batch.starts()[s] + batch.lengths()[s]; t++) {
                for (int c = 0; c < cols; c++) {
                    pooled[s * cols + c] += h[t * cols + c] / batch.lengths()[s];
                }
            }
        }
        return pooled;
    }

    static double hiddenLoss(DistillLoss loss, double[] student, float[] teacher, int cols, int layers, int tokens) {
        double sum = 0;
        for (int i = 0; i < student.length; i++) {
            sum += (student[i] - teacher[i]) * (student[i] - teacher[i]);
        }
        return loss.hiddenWeight() * sum / ((double) tokens * cols * layers);
    }

    static double pooledLoss(DistillLoss loss, double[] student, double[] teacher, int cols, int sequences) {
        double total = 0;
        for (int s = 0; s < student.length / cols; s++) {
            double dot = 0;
            double ss = 0;
            double tt = 0;
            double se = 0;
            for (int c = 0; c < cols; c++) {
                double a = student[s * cols + c];
                double b = teacher[s * cols + c];
                dot += a * b;
                ss += a * a;
                tt += b * b;
                se += (a - b) * (a - b);
            }
            total += loss.pooledMseWeight() * se / cols + loss.cosineWeight() * (1 - dot / Math.sqrt(ss * tt));
        }
        return total / sequences;
    }

    static double[] add(double[] a, double[] b) {
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
        }
        return s;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** A scalar function of one array, for finite differences. */
    @FunctionalInterface
    interface Objective {
        double at(double[] x);
    }

    /** Central finite differences of {@code f} at {@code x}, one coordinate at a time ({@code x} is restored). */
    static double[] gradient(Objective f, double[] x, double step) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + step;
            double plus = f.at(x);
            x[i] = keep - step;
            double minus = f.at(x);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * step);
        }
        return g;
    }

    /** {@code sum r_i y_i}: a random linear read-out, so a vector output's whole Jacobian is exercised. */
    static double project(double[] y, double[] r) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * r[i];
        }
        return s;
    }

    /** Relative L2 error of an analytic gradient against a finite-difference one. */
    static double relativeError(float[] analytic, double[] numeric) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < numeric.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            norm += numeric[i] * numeric[i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-300));
    }
}
