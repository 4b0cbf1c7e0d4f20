package dev.sparseinfer.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The routes the benchmark times compute the sums they claim to, exactly, on fresh random int8 values. */
class Int8ProductBenchmarkTest {

    private static final int OUTPUTS = Int8ProductBenchmark.OUTPUTS;
    private static final int TOKENS = Int8ProductBenchmark.TOKENS;
    private static final int INPUTS = Int8ProductBenchmark.INPUTS;

    @Test
    void bothBlockKernelsGiveTheExactSumsOfProducts() {
        Random random = new Random();
        byte[] w = Int8ProductBenchmark.int8(random, INPUTS * OUTPUTS);
        byte[] x = Int8ProductBenchmark.int8(random, INPUTS * TOKENS);
        // The extremes too: two products of -127 * -127 must not overflow int16.
        for (int o = 0; o < OUTPUTS; o++) {
            w[o] = -127;
            w[OUTPUTS + o] = -127;
        }
        x[0] = -127;
        x[TOKENS] = -127;
        int[] expected = new int[TOKENS * OUTPUTS];
        for (int t = 0; t < TOKENS; t++) {
            for (int o = 0; o < OUTPUTS; o++) {
                long sum = 0;
                for (int i = 0; i < INPUTS; i++) {
                    sum += (long) w[i * OUTPUTS + o] * x[i * TOKENS + t];
                }
                expected[t * OUTPUTS + o] = Math.toIntExact(sum);
            }
        }

        float[] floatSums = new float[TOKENS * OUTPUTS];
        Int8ProductBenchmark.fp32Block(
                Int8ProductBenchmark.floats(w), Int8ProductBenchmark.floats(x), INPUTS, floatSums);
        int[] intSums = new int[TOKENS * OUTPUTS];
        Int8ProductBenchmark.int16Block(
                Int8ProductBenchmark.shorts(w), Int8ProductBenchmark.shorts(x), INPUTS, intSums);

        assertArrayEquals(expected, intSums);
        for (int j = 0; j < expected.length; j++) {
            // Sums of int8 products over 256 inputs stay far below 2^24: fp32 holds them exactly.
            assertEquals(expected[j], floatSums[j], 0f, "sum " + j);
        }
    }

    @Test
    void theMulAddLoopAddsEachPairsProductsToItsSum() {
        Random random = new Random();
        int pairs = 1 + random.nextInt(100);
        short[] a = Int8ProductBenchmark.shorts(Int8ProductBenchmark.int8(random, 2 * pairs));
        short[] b = Int8ProductBenchmark.shorts(Int8ProductBenchmark.int8(random, 2 * pairs));
        int[] sums = new int[pairs];
        int[] expected = new int[pairs];
        for (int j = 0; j < pairs; j++) {
            sums[j] = random.nextInt(1000);
            expected[j] = sums[j] + a[2 * j] * b[2 * j] + a[2 * j + 1] * b[2 * j + 1];
        }
        Int8ProductBenchmark.mulAddPairs(a, b, sums);
        assertArrayEquals(expected, sums);
    }
}
