package dev.sparseinfer.cuda;

import java.util.Random;

/**
 * Activations whose per-token int8 quantisation {@code round(x * inv)}, {@code inv = 127 / max|row|}, falls where
 * shortcuts part from Java's {@code Math.round} (the CPU's rule: the product rounded to fp32, then half up):
 * <ul>
 *   <li>products rounding to exactly -0.5 from below, which a fused {@code floor(fma(x, inv, 0.5))} takes to -1
 *       (the exact sum is a hair below 0), where {@code Math.round(-0.5f)} is 0;</li>
 *   <li>products rounding to 0.49999997, which {@code floorf(p + 0.5f)} takes to 1 ({@code p + 0.5f} rounds to
 *       1.0), where {@code Math.round} gives 0;</li>
 *   <li>products rounding to {@code k + 0.5}, which round half up ({@code -2.5} to -2), not to even as
 *       {@code rintf} would.</li>
 * </ul>
 * A w8a8 layer fed these shows whether a backend quantises as the CPU does, bit for bit.
 */
final class QuantizationTies {

    private static final float BELOW_HALF = Math.nextDown(0.5f);

    private QuantizationTies() {}

    /** {@code tokens} rows of {@code width} (at least 4): the row's largest magnitude, the two traps, then ties. */
    static float[] rows(int tokens, int width, Random random) {
        float[] x = new float[tokens * width];
        for (int t = 0; t < tokens; t++) {
            int row = t * width;
            // A scale for which both traps exist: for some maxima no value's product lands on them.
            float max;
            float minusHalf;
            float belowHalf;
            do {
                max = 0.5f + 7.5f * random.nextFloat();
                float inv = 127f / max;
                minusHalf = productRoundingTo(-0.5f, inv, max, true);
                belowHalf = productRoundingTo(BELOW_HALF, inv, max, false);
            } while (Float.isNaN(minusHalf) || Float.isNaN(belowHalf));
            float inv = 127f / max;
            x[row] = random.nextBoolean() ? max : -max;
            x[row + 1] = minusHalf;
            x[row + 2] = belowHalf;
            for (int c = 3; c < width; c++) {
                float tie = productRoundingTo(random.nextInt(-126, 126) + 0.5f, inv, max, false);
                x[row + c] = Float.isNaN(tie) ? (random.nextInt(-126, 126) + 0.5f) / inv : tie;
            }
        }
        return x;
    }

    /**
     * A value below {@code max} in magnitude whose product with {@code inv}, rounded to fp32, is {@code target}
     * (and whose exact product is below the target, if {@code exactBelow}); NaN if none lies within 32 ulps of
     * {@code target / inv}.
     */
    static float productRoundingTo(float target, float inv, float max, boolean exactBelow) {
        float below = target / inv;
        float above = below;
        for (int ulps = 0; ulps <= 32; ulps++) {
            for (float v : new float[] {below, above}) {
                if (Math.abs(v) < max && v * inv == target && (!exactBelow || (double) v * inv < target)) {
                    return v;
                }
            }
            below = Math.nextDown(below);
            above = Math.nextUp(above);
        }
        return Float.NaN;
    }
}
