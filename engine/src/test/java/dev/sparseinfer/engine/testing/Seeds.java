package dev.sparseinfer.engine.testing;

import java.util.Random;

/** Fresh random seeds for tests; each test prints its seed in failure messages so a failure can be replayed. */
public final class Seeds {

    private Seeds() {}

    /** A new seed per call, or the one in system property {@code tests.seed} to replay a failure. */
    public static long fresh() {
        String fixed = System.getProperty("tests.seed");
        return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    }

    public static float[] gaussian(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    /** Relative L2 error {@code |a - b| / |b|}, computed in float64. */
    public static double relativeError(float[] actual, float[] expected) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-300));
    }

    /**
     * Error of a sum against its float64 value, relative to the size of the terms summed rather than of the sum:
     * {@code |a - b| / |m|} with {@code m[i] = sum |term|} for output {@code i}. A float32 sum of terms that nearly
     * cancel is only ever accurate to a few ulps of its largest terms, so this is the bound a correct kernel meets
     * whatever the inputs; {@link #relativeError} would fail on such outputs at random.
     */
    public static double errorRelativeToTerms(float[] actual, double[] expected, double[] termMagnitudes) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += termMagnitudes[i] * termMagnitudes[i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-300));
    }
}
