package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code si_quantize_int8}'s steps (common.cuh), as {@link EmulatedKernels#quantize} transcribes them, against the
 * CPU backend's rule, {@code Math.round(v * inv)} clamped to [-127, 127]: on the ties and traps where shortcuts
 * differ, and on random values.
 */
class QuantizationRoundingTest {

    private static int cpu(float v, float inv) {
        return Math.max(-127, Math.min(127, Math.round(v * inv)));
    }

    @Test
    void tiesRoundHalfUpAsMathRoundDoes() {
        for (float v : new float[] {2.5f, -2.5f, 0.5f, -0.5f, 126.5f, -126.5f, 0f, -0f, 127f, -127f}) {
            assertEquals(cpu(v, 1f), (int) EmulatedKernels.quantize(v, 1f), "" + v);
        }
        assertEquals(3, (int) EmulatedKernels.quantize(2.5f, 1f));
        assertEquals(-2, (int) EmulatedKernels.quantize(-2.5f, 1f));
    }

    @Test
    void theLargestFloatBelowAHalfRoundsDown() {
        float belowHalf = Math.nextDown(0.5f);
        assertEquals(1f, (float) Math.floor(belowHalf + 0.5f), "the shortcut this guards against");
        assertEquals(0, (int) EmulatedKernels.quantize(belowHalf, 1f));
        assertEquals(0, (int) EmulatedKernels.quantize(-belowHalf, 1f));
    }

    @Test
    void outOfRangeAndNonFiniteValuesClampAsOnTheCpu() {
        assertEquals(127, (int) EmulatedKernels.quantize(1e30f, 1f));
        assertEquals(-127, (int) EmulatedKernels.quantize(Float.NEGATIVE_INFINITY, 1f));
        assertEquals(127, (int) EmulatedKernels.quantize(3f, Float.POSITIVE_INFINITY));
        assertEquals(cpu(Float.NaN, 1f), (int) EmulatedKernels.quantize(Float.NaN, 1f));
        assertEquals(cpu(Float.POSITIVE_INFINITY, 0f), (int) EmulatedKernels.quantize(Float.POSITIVE_INFINITY, 0f));
    }

    /** The traps {@link QuantizationTies} sets, each in every row, rounded as the CPU rounds them. */
    @Test
    void productsRoundedOntoTiesAndTrapsRoundAsTheCpuRoundsThem() {
        long seed = Seeds.fresh();
        int tokens = 30;
        int width = 40;
        float[] rows = QuantizationTies.rows(tokens, width, new Random(seed));
        for (int t = 0; t < tokens; t++) {
            float inv = 127f / Math.abs(rows[t * width]);
            float minusHalf = rows[t * width + 1];
            float belowHalf = rows[t * width + 2];
            assertEquals(-1.0, Math.floor(Math.fma(minusHalf, inv, 0.5f)), "fused trap (seed=" + seed + ")");
            assertEquals(1.0, Math.floor(belowHalf * inv + 0.5f), "floor(p + 0.5f) trap (seed=" + seed + ")");
            for (int c = 1; c < width; c++) {
                float v = rows[t * width + c];
                assertEquals(
                        cpu(v, inv), (int) EmulatedKernels.quantize(v, inv), v + " * " + inv + " (seed=" + seed + ")");
            }
        }
    }

    @Test
    void randomValuesRoundAsOnTheCpu() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            float inv = 127f / (0.01f + 10 * random.nextFloat());
            float v = (float) (random.nextGaussian() * 3);
            assertEquals(cpu(v, inv), (int) EmulatedKernels.quantize(v, inv), v + " * " + inv + " (seed=" + seed + ")");
        }
    }
}
