package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CpuBackend#pool} in every mode against a float64 reference, on sequences of 1 to 300 tokens. */
class CpuPoolingTest {

    private static final int[] LENGTHS = {1, 7, 300, 2, 33};
    private static final int COLS = 37;

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    @Test
    void everyPoolingMatchesTheReferenceNormalisedOrNot() {
        TokenBatch batch = batch(LENGTHS);
        float[] x = Seeds.gaussian(random, batch.tokens() * COLS, 2);
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (Pooling pooling : Pooling.values()) {
                for (boolean normalize : new boolean[] {false, true}) {
                    float[][] actual = cpu.pool(cpu.upload(x, batch.tokens(), COLS), batch, pooling, normalize);
                    assertEquals(LENGTHS.length, actual.length);
                    for (int s = 0; s < LENGTHS.length; s++) {
                        double[] expected = reference(x, batch.starts()[s], LENGTHS[s], pooling, normalize);
                        String what = pooling + (normalize ? " normalised" : "") + ", sequence " + s + " of "
                                + LENGTHS[s] + " tokens (seed=" + seed + ")";
                        for (int c = 0; c < COLS; c++) {
                            assertEquals(expected[c], actual[s][c], 1e-6 * Math.max(1, Math.abs(expected[c])), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void tokenPoolingsPickTheirTokenExactly() {
        TokenBatch batch = batch(LENGTHS);
        float[] x = Seeds.gaussian(random, batch.tokens() * COLS, 1);
        try (CpuBackend cpu = new CpuBackend(1)) {
            float[][] first = cpu.pool(cpu.upload(x, batch.tokens(), COLS), batch, Pooling.CLS, false);
            float[][] last = cpu.pool(cpu.upload(x, batch.tokens(), COLS), batch, Pooling.LAST_TOKEN, false);
            for (int s = 0; s < LENGTHS.length; s++) {
                int start = batch.starts()[s];
                int end = start + LENGTHS[s] - 1;
                assertArrayEquals(row(x, start), first[s], "seed=" + seed);
                assertArrayEquals(row(x, end), last[s], "seed=" + seed);
            }
        }
    }

    @Test
    void aZeroVectorStaysZeroWhenNormalised() {
        TokenBatch batch = batch(new int[] {3});
        try (CpuBackend cpu = new CpuBackend(1)) {
            for (Pooling pooling : Pooling.values()) {
                float[][] pooled =
                        cpu.pool(cpu.upload(new float[3 * COLS], batch.tokens(), COLS), batch, pooling, true);
                assertArrayEquals(new float[COLS], pooled[0], pooling.toString());
            }
        }
    }

    private static double[] reference(float[] x, int start, int length, Pooling pooling, boolean normalize) {
        double[] v = new double[COLS];
        for (int c = 0; c < COLS; c++) {
            double acc = pooling == Pooling.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (int t = start; t < start + length; t++) {
                double value = x[t * COLS + c];
                acc = switch (pooling) {
                    case MEAN -> acc + value / length;
                    case MAX -> Math.max(acc, value);
                    case CLS -> t == start ? value : acc;
                    case LAST_TOKEN -> value;
                };
            }
            v[c] = acc;
        }
        if (normalize) {
            double norm = 0;
            for (double value : v) {
                norm += value * value;
            }
            for (int c = 0; c < COLS; c++) {
                v[c] /= Math.max(Math.sqrt(norm), 1e-12);
            }
        }
        return v;
    }

    private static float[] row(float[] x, int token) {
        float[] out = new float[COLS];
        System.arraycopy(x, token * COLS, out, 0, COLS);
        return out;
    }

    private static TokenBatch batch(int[] lengths) {
        int[][] ids = new int[lengths.length][];
        for (int s = 0; s < lengths.length; s++) {
            ids[s] = new int[lengths[s]];
        }
        return TokenBatch.pack(ids, ids);
    }
}
