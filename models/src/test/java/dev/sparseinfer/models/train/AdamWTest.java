package dev.sparseinfer.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.testing.Seeds;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AdamW with clipping against a float64 reference of the same formulas, and on one thread against three. */
class AdamWTest {

    private static final double LR = 1e-2;
    private static final double MAX_NORM = 1.0;

    private final long seed = Seeds.fresh();

    @Test
    void stepsFollowTheFloat64ReferenceKeepPrunedWeightsZeroAndDoNotDependOnThreads() {
        Random random = new Random(seed);
        // A matrix large enough to be split between threads, and a bias that is not.
        float[] w0 = gaussian(random, 300 * 200);
        float[] b0 = gaussian(random, 200);
        boolean[] mask = new boolean[w0.length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextInt(3) == 0;
        }
        float[][] weightGrads = {gaussian(random, w0.length), gaussian(random, w0.length), gaussian(random, w0.length)};
        float[][] biasGrads = {gaussian(random, b0.length), gaussian(random, b0.length), gaussian(random, b0.length)};

        float[][] serial = run(1, w0, b0, mask, weightGrads, biasGrads);
        float[][] threaded = run(3, w0, b0, mask, weightGrads, biasGrads);
        assertArrayEquals(serial[0], threaded[0], "weights, seed " + seed);
        assertArrayEquals(serial[1], threaded[1], "bias, seed " + seed);

        double[][] reference = reference(w0, b0, mask, weightGrads, biasGrads);
        for (int i = 0; i < w0.length; i++) {
            if (mask[i]) {
                assertEquals(0f, serial[0][i], "pruned weight " + i + ", seed " + seed);
            } else {
                assertEquals(reference[0][i], serial[0][i], 1e-5, "weight " + i + ", seed " + seed);
            }
        }
        for (int i = 0; i < b0.length; i++) {
            assertEquals(reference[1][i], serial[1][i], 1e-5, "bias " + i + ", seed " + seed);
        }
    }

    private static float[][] run(
            int threads, float[] w0, float[] b0, boolean[] mask, float[][] weightGrads, float[][] biasGrads) {
        Parameter w = new Parameter("w", 300, 200, w0.clone());
        Parameter b = new Parameter("b", 1, 200, b0.clone());
        w.prune(mask);
        try (Parallel parallel = new Parallel(threads)) {
            AdamW adam = AdamW.standard(List.of(w, b), parallel);
            for (int s = 0; s < weightGrads.length; s++) {
                System.arraycopy(weightGrads[s], 0, w.grad(), 0, w0.length);
                System.arraycopy(biasGrads[s], 0, b.grad(), 0, b0.length);
                w.zeroPrunedIn(w.grad());
                adam.clip(MAX_NORM);
                adam.step(LR);
            }
        }
        return new float[][] {w.value(), b.value()};
    }

    /** AdamW as Loshchilov and Hutter write it, in float64, with decay on the matrix only. */
    private static double[][] reference(
            float[] w0, float[] b0, boolean[] mask, float[][] weightGrads, float[][] biasGrads) {
        double[] w = new double[w0.length];
        double[] b = new double[b0.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = mask[i] ? 0 : w0[i];
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = b0[i];
        }
        double[][] m = {new double[w.length], new double[b.length]};
        double[][] v = {new double[w.length], new double[b.length]};
        for (int s = 0; s < weightGrads.length; s++) {
            double[] gw = new double[w.length];
            double[] gb = new double[b.length];
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                gw[i] = mask[i] ? 0 : weightGrads[s][i];
                sum += gw[i] * gw[i];
            }
            for (int i = 0; i < b.length; i++) {
                gb[i] = biasGrads[s][i];
                sum += gb[i] * gb[i];
            }
            double scale = Math.min(1, MAX_NORM / Math.sqrt(sum));
            double c1 = 1 - Math.pow(0.9, s + 1);
            double c2 = 1 - Math.pow(0.999, s + 1);
            update(w, gw, m[0], v[0], scale, c1, c2, LR * 0.01);
            update(b, gb, m[1], v[1], scale, c1, c2, 0);
            for (int i = 0; i < w.length; i++) {
                if (mask[i]) {
                    w[i] = 0;
                }
            }
        }
        return new double[][] {w, b};
    }

    private static void update(
            double[] w, double[] g, double[] m, double[] v, double scale, double c1, double c2, double decay) {
        for (int i = 0; i < w.length; i++) {
            double gi = g[i] * scale;
            m[i] = 0.9 * m[i] + 0.1 * gi;
            v[i] = 0.999 * v[i] + 0.001 * gi * gi;
            w[i] = w[i] - decay * w[i] - LR * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
