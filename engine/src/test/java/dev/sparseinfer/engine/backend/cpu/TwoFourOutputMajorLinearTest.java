package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The 2:4 kernel built directly, at small shapes (the backend gives it only layers of 32 MiB and more): its
 * output-major path for one and two rows and its dense path beyond, against the float64 reference.
 */
class TwoFourOutputMajorLinearTest {

    private static final int LANES = CpuVectorShape.FLOATS.length();

    @ParameterizedTest
    @CsvSource({
        "1, 8, 1",
        "2, 8, 3",
        "1, 16, 8",
        "2, 16, 9",
        "1, 64, 50",
        "2, 64, 50",
        "1, 392, 20",
        "2, 392, 17",
        "3, 64, 50",
        "9, 40, 24",
        "1, 32800, 3",
        "2, 32800, 3"
    })
    void matchesItsDenseExpansion(int rows, int in, int out) {
        assumeTrue(LANES >= 8 && in % LANES == 0, "output-major needs whole windows of at least 8 lanes");
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        TwoFourWeights w = TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in));
        float[] bias = Seeds.gaussian(random, out, 0.3);
        float[] x = Seeds.gaussian(random, rows * in, 1);
        TwoFourOutputMajorLinear layer = new TwoFourOutputMajorLinear(w, bias);
        for (ActivationFunction activation : ActivationFunction.values()) {
            float[] y = new float[rows * out];
            Arrays.fill(y, Float.NaN);
            layer.compute(x, rows, 0, out, activation, y);
            LinearReference expected =
                    LinearReference.compute(x, rows, in, w.toDense().data(), bias, out, activation);
            double error = Seeds.errorRelativeToTerms(y, expected.values(), expected.termMagnitudes());
            assertTrue(
                    error < 1e-5,
                    activation + " [" + rows + "x" + in + "] -> " + out + ": relative error " + error + " (seed=" + seed
                            + ")");
        }
    }

    /** The backend splits outputs at multiples of the alignment; any split must give the bits of the whole range. */
    @ParameterizedTest
    @CsvSource({"1, 64, 100", "2, 64, 100", "3, 64, 100", "2, 392, 37"})
    void aSplitAtTheAlignmentGivesTheSameBits(int rows, int in, int out) {
        assumeTrue(LANES >= 8 && in % LANES == 0, "output-major needs whole windows of at least 8 lanes");
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        TwoFourWeights w = TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in));
        TwoFourOutputMajorLinear layer = new TwoFourOutputMajorLinear(w, Seeds.gaussian(random, out, 0.3));
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] whole = new float[rows * out];
        layer.compute(x, rows, 0, out, ActivationFunction.GELU, whole);
        int align = layer.outputAlignment();
        for (int cut = align; cut < out; cut += align) {
            float[] split = new float[rows * out];
            layer.compute(x, rows, 0, cut, ActivationFunction.GELU, split);
            layer.compute(x, rows, cut, out, ActivationFunction.GELU, split);
            assertArrayEquals(whole, split, "split at " + cut + " (seed=" + seed + ")");
        }
    }

    @Test
    void onlyLayersTooBigForTheCacheGetIt() {
        assumeTrue(LANES >= 8, "output-major needs at least 8 lanes");
        assertFalse(TwoFourOutputMajorLinear.pays(3072, 768), "9 MiB of fp32 weights");
        assertTrue(TwoFourOutputMajorLinear.pays(4096, 4096), "64 MiB of fp32 weights");
        assertFalse(TwoFourOutputMajorLinear.pays(4096, 4096 + LANES / 2), "a window cut in half");
    }
}
