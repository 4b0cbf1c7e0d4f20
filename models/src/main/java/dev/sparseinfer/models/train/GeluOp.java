package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.cpu.Erf;

/**
 * Exact (erf) GELU, {@code x * Phi(x)}, with the single-precision erf the engine's CPU kernels use, and its
 * derivative {@code Phi(x) + x * phi(x)}.
 */
final class GeluOp {

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private GeluOp() {}

    static void forward(float[] x, int length, float[] y, Parallel parallel) {
        parallel.range(length, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = x[i];
                y[i] = 0.5f * v * (Erf.erfFast(v * INV_SQRT2) + 1f);
            }
        });
    }

    /** {@code dx = dy * GELU'(x)}, in place on {@code dy}. */
    static void backward(float[] x, float[] dy, int length, Parallel parallel) {
        parallel.range(length, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = x[i];
                float cdf = 0.5f * (Erf.erfFast(v * INV_SQRT2) + 1f);
                float pdf = (float) (INV_SQRT_2PI * Math.exp(-0.5 * v * v));
                dy[i] *= cdf + v * pdf;
            }
        });
    }
}
