package dev.sparseinfer.models.train;

/**
 * LayerNorm over each row, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, as the engine computes it
 * (statistics in float64), and its backward pass.
 */
final class LayerNormOp {

    private LayerNormOp() {}

    /** Writes {@code y} and each row's mean and 1/std (kept for the backward pass). */
    static void forward(
            float[] x, int rows, Parameter gamma, Parameter beta, double eps, float[] y, float[] mean, float[] rstd) {
        int cols = gamma.cols();
        float[] g = gamma.value();
        float[] b = beta.value();
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double m = 0;
            for (int c = 0; c < cols; c++) {
                m += x[base + c];
            }
            m /= cols;
            double v = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[base + c] - m;
                v += d * d;
            }
            double inv = 1.0 / Math.sqrt(v / cols + eps);
            mean[r] = (float) m;
            rstd[r] = (float) inv;
            for (int c = 0; c < cols; c++) {
                y[base + c] = (float) ((x[base + c] - m) * inv * g[c] + b[c]);
            }
        }
    }

    /**
     * With {@code xhat = (x - mean) * rstd}: {@code dgamma += sum dy * xhat}, {@code dbeta += sum dy}, and
     * {@code dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))} for {@code dxhat = dy * gamma}.
     */
    static void backward(
            float[] dy, float[] x, int rows, Parameter gamma, Parameter beta, float[] mean, float[] rstd, float[] dx) {
        backward(dy, x, rows, gamma, beta, mean, rstd, dx, Gradients.OWN);
    }

    /** {@link #backward}, adding the parameter gradients to {@code gradients}' arrays. */
    static void backward(
            float[] dy,
            float[] x,
            int rows,
            Parameter gamma,
            Parameter beta,
            float[] mean,
            float[] rstd,
            float[] dx,
            Gradients gradients) {
        int cols = gamma.cols();
        float[] g = gamma.value();
        float[] dg = gradients.of(gamma);
        float[] db = gradients.of(beta);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double sumD = 0;
            double sumDx = 0;
            for (int c = 0; c < cols; c++) {
                double xhat = (x[base + c] - mean[r]) * (double) rstd[r];
                double d = dy[base + c] * (double) g[c];
                sumD += d;
                sumDx += d * xhat;
                dg[c] += (float) (dy[base + c] * xhat);
                db[c] += dy[base + c];
            }
            double meanD = sumD / cols;
            double meanDx = sumDx / cols;
            for (int c = 0; c < cols; c++) {
                double xhat = (x[base + c] - mean[r]) * (double) rstd[r];
                double d = dy[base + c] * (double) g[c];
                dx[base + c] = (float) (rstd[r] * (d - meanD - xhat * meanDx));
            }
        }
    }
}
