package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The Vector API kernels (and the packed dense layer) against the float64 scalar ones, on fresh random inputs at odd sizes. */
class CpuKernelsTest {

    private final CpuKernels vector = new VectorCpuKernels();
    private final ScalarCpuKernels reference = new ScalarCpuKernels();

    @ParameterizedTest
    @CsvSource({"1, 1, 1", "1, 7, 5", "3, 17, 9", "5, 64, 33", "2, 385, 131", "13, 96, 7", "6, 12, 16", "19, 40, 70"})
    void packedDenseLinearMatchesReference(int rows, int in, int out) {
        for (ActivationFunction activation : ActivationFunction.values()) {
            long seed = Seeds.fresh();
            Random random = new Random(seed);
            float[] x = Seeds.gaussian(random, rows * in, 1);
            float[] w = Seeds.gaussian(random, out * in, 1 / Math.sqrt(in));
            float[] b = Seeds.gaussian(random, out, 0.5);
            float[] actual = new float[rows * out];
            new DenseLinear(out, in, w, b).compute(x, rows, 0, out, activation, actual);
            LinearReference expected = LinearReference.compute(x, rows, in, w, b, out, activation);
            double error = Seeds.errorRelativeToTerms(actual, expected.values(), expected.termMagnitudes());
            assertTrue(error < 1e-5, "linear " + activation + ": relative error " + error + " seed=" + seed);
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 9, 0, 1", "7, 40, 1, 3", "13, 33, 0, 3"})
    void packedDenseLinearWritesOnlyItsPanels(int rows, int in, int panelFrom, int panelTo) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int panel = PanelKernel.PANEL;
        int out = 3 * panel - 5;
        int outFrom = panelFrom * panel;
        int outTo = Math.min(out, panelTo * panel);
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] w = Seeds.gaussian(random, out * in, 1);
        float[] b = Seeds.gaussian(random, out, 1);
        float[] y = new float[rows * out];
        Arrays.fill(y, Float.NaN);
        new DenseLinear(out, in, w, b).compute(x, rows, outFrom, outTo, ActivationFunction.GELU, y);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                boolean inside = o >= outFrom && o < outTo;
                assertEquals(inside, !Float.isNaN(y[r * out + o]), "row " + r + " output " + o + " seed=" + seed);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "3, 7", "5, 384", "2, 131"})
    void layerNormMatchesReference(int rows, int cols) {
        for (boolean withResidual : new boolean[] {false, true}) {
            long seed = Seeds.fresh();
            Random random = new Random(seed);
            // An offset far from zero checks that the variance is not computed as E[x^2] - E[x]^2.
            float[] x = Seeds.gaussian(random, rows * cols, 3);
            for (int i = 0; i < x.length; i++) {
                x[i] += 100;
            }
            float[] residual = withResidual ? Seeds.gaussian(random, rows * cols, 1) : null;
            float[] gamma = Seeds.gaussian(random, cols, 1);
            float[] beta = Seeds.gaussian(random, cols, 1);
            float[] expected = new float[rows * cols];
            float[] actual = x.clone();
            reference.addLayerNorm(x, residual, gamma, beta, 1e-12f, cols, 0, rows, expected);
            vector.addLayerNorm(actual, residual, gamma, beta, 1e-12f, cols, 0, rows, actual);
            assertClose(expected, actual, 2e-5, "layerNorm residual=" + withResidual + " seed=" + seed);
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "7", "16", "33", "128"})
    void softmaxMatchesReferenceAndSumsToOne(int length) {
        long seed = Seeds.fresh();
        float[] v = Seeds.gaussian(new Random(seed), length + 3, 10);
        float[] expected = v.clone();
        float[] actual = v.clone();
        reference.softmax(expected, 2, length);
        vector.softmax(actual, 2, length);
        assertClose(expected, actual, 1e-5, "softmax seed=" + seed);
        double sum = 0;
        for (int i = 2; i < 2 + length; i++) {
            sum += actual[i];
        }
        assertEquals(1.0, sum, 1e-5, "softmax sum seed=" + seed);
        assertEquals(v[0], actual[0], "softmax touched an element before its range");
        assertEquals(v[length + 2], actual[length + 2], "softmax touched an element after its range");
    }

    @ParameterizedTest
    @CsvSource({"1", "5", "32", "67"})
    void dotMatchesReference(int length) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] a = Seeds.gaussian(random, length + 4, 1);
        float[] b = Seeds.gaussian(random, length + 1, 1);
        assertEquals(reference.dot(a, 3, b, 1, length), vector.dot(a, 3, b, 1, length), 1e-4, "dot seed=" + seed);
    }

    /**
     * Sequence lengths below, at and past a vector of keys; head sizes with and without a scalar tail; with and
     * without a bias by relative position.
     */
    @ParameterizedTest
    @CsvSource({
        "1, 32, 2, false",
        "7, 32, 3, false",
        "8, 16, 2, false",
        "9, 12, 4, false",
        "16, 32, 12, false",
        "23, 5, 3, false",
        "40, 64, 2, false",
        "1, 32, 2, true",
        "9, 12, 4, true",
        "40, 64, 2, true"
    })
    void attentionHeadMatchesReference(int length, int headDim, int heads, boolean biased) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int width = headDim * heads;
        int start = 3;
        int rows = start + length + 2;
        float[] q = Seeds.gaussian(random, rows * width, 1);
        float[] k = Seeds.gaussian(random, rows * width, 1);
        float[] v = Seeds.gaussian(random, rows * width, 1);
        float scale = (float) (1 / Math.sqrt(headDim));
        int col = headDim * (heads - 1);
        float[] expected = Seeds.gaussian(random, rows * width, 1);
        float[] actual = expected.clone();
        float[] bias = biased ? Seeds.gaussian(random, 2 * length - 1, 1) : null;
        reference.attentionHead(q, k, v, width, col, headDim, start, length, scale, bias, expected);
        vector.attentionHead(q, k, v, width, col, headDim, start, length, scale, bias, actual);
        // Every output is a convex combination of values of magnitude about 1.
        for (int i = 0; i < rows * width; i++) {
            boolean written = i / width >= start && i / width < start + length && i % width >= col;
            if (written) {
                assertEquals(expected[i], actual[i], 2e-5, "element " + i + " seed=" + seed);
            } else {
                assertEquals(expected[i], actual[i], 0f, "element " + i + " is outside the head and must not change");
            }
        }
    }

    /**
     * The vector dot product adds its lanes in one fixed order (halves, then quarters, ...), so interpreted and
     * compiled code give the same bits; this replays that order in scalar code and expects exactly its result.
     */
    @ParameterizedTest
    @CsvSource({"8", "32", "37", "64"})
    void dotAddsItsLanesInAFixedOrder(int length) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] a = Seeds.gaussian(random, length, 1);
        float[] b = Seeds.gaussian(random, length, 1);
        int lanes = CpuVectorShape.FLOATS.length();
        float[] acc = new float[lanes];
        int vecEnd = length / lanes * lanes;
        for (int i = 0; i < vecEnd; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                acc[l] = Math.fma(a[i + l], b[i + l], acc[l]);
            }
        }
        for (int step = lanes / 2; step >= 1; step /= 2) {
            float[] next = new float[lanes];
            for (int l = 0; l < lanes; l++) {
                next[l] = acc[l] + acc[l ^ step];
            }
            acc = next;
        }
        float expected = acc[0];
        for (int i = vecEnd; i < length; i++) {
            expected += a[i] * b[i];
        }
        assertEquals(expected, vector.dot(a, 0, b, 0, length), "seed=" + seed);
    }

    @ParameterizedTest
    @EnumSource(ActivationFunction.class)
    void scalarReferenceAppliesTheActivation(ActivationFunction activation) {
        float[] x = {1f, -2f};
        float[] w = {1f, 0f, 0f, 1f};
        float[] y = new float[2];
        reference.linear(x, 1, 2, w, new float[2], 2, 0, 2, activation, y);
        float[] expected = activation == ActivationFunction.NONE
                ? new float[] {1f, -2f}
                // GELU(1) and GELU(-2), exact erf form.
                : new float[] {0.8413447460685429f, -0.04550026389635842f};
        assertArrayEquals(expected, y, 1e-7f);
    }

    private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        double error = Seeds.relativeError(actual, expected);
        assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
    }
}
