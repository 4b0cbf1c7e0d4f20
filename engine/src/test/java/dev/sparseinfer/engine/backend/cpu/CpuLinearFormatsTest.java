package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every weight format through the CPU backend against a float64 reference that first expands the format to dense
 * (and, for w8a8, quantises the input exactly as the format prescribes), on fresh random inputs at odd shapes, with
 * the Vector API kernels and with the scalar fallback.
 */
class CpuLinearFormatsTest {

    @ParameterizedTest
    @CsvSource({
        "1, 4, 1",
        "3, 12, 7",
        "4, 40, 20",
        "6, 36, 13",
        "7, 20, 33",
        "17, 36, 13",
        "2, 100, 33",
        "5, 388, 9",
        "13, 20, 16",
        "41, 64, 50",
        "70, 24, 35",
        "1, 64, 13",
        "2, 48, 17",
        "5, 64, 50",
        "8, 32, 9",
        "9, 40, 24",
        "3, 16, 8",
        "1, 32800, 3",
        "12, 392, 20",
        "33, 144, 9",
        "20, 136, 17",
        "45, 520, 19"
    })
    void everyFormatMatchesItsDenseExpansion(int rows, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        List<LinearWeights> formats = everyFormat(random, out, in);
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        for (CpuKernelSelection kernels :
                List.of(CpuKernelProvider.selection(), CpuKernelSelection.scalar(Optional.empty()))) {
            try (CpuBackend backend = new CpuBackend(kernels, 2)) {
                for (LinearWeights w : formats) {
                    for (ActivationFunction activation : ActivationFunction.values()) {
                        Linear layer = new Linear("layer", w, bias);
                        Activations xs = backend.allocate(rows, in);
                        System.arraycopy(x, 0, ((CpuActivations) xs).data(), 0, x.length);
                        Activations ys = backend.allocate(rows, out);
                        Arrays.fill(((CpuActivations) ys).data(), Float.NaN);
                        backend.linear(backend.prepare(layer), xs, activation, ys);
                        LinearReference expected = reference(w, x, rows, bias, activation);
                        double error = Seeds.errorRelativeToTerms(
                                ((CpuActivations) ys).data(), expected.values(), expected.termMagnitudes());
                        assertTrue(
                                error < 1e-5,
                                w.formatName() + " " + activation + " [" + rows + "x" + in + "] -> " + out
                                        + (kernels.vectorApi() ? "" : " (scalar kernels)") + ": relative error " + error
                                        + " (seed=" + seed + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"12, 388, 100", "13, 64, 50", "3, 36, 13", "3, 64, 50", "8, 40, 100", "45, 520, 19"})
    void everyFormatGivesTheSameBitsOnAnyThreadCount(int rows, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        List<LinearWeights> formats = everyFormat(random, out, in);
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        for (LinearWeights w : formats) {
            float[] single = null;
            for (int threads = 1; threads <= 3; threads++) {
                try (CpuBackend backend = new CpuBackend(threads)) {
                    Activations ys = backend.allocate(rows, out);
                    backend.linear(
                            backend.prepare(new Linear("layer", w, bias)),
                            backend.upload(x, rows, in),
                            ActivationFunction.GELU,
                            ys);
                    float[] got = backend.read(ys);
                    if (single == null) {
                        single = got;
                    } else {
                        assertArrayEquals(
                                single,
                                got,
                                w.formatName() + " on " + threads + " threads differs from 1 thread (seed=" + seed
                                        + ")");
                    }
                }
            }
        }
    }

    /**
     * Layers of one input run as one op ({@link CpuBackend#linears}) give each layer the bits it gets alone, in every
     * pairing of formats (whose kernels split outputs at different multiples) and at output counts that are not a
     * multiple of every kernel's alignment, where the op falls back to one layer at a time.
     */
    @ParameterizedTest
    @CsvSource({
        "16, 384, 64, 64, 64",
        "3, 36, 16, 32, 48",
        "13, 64, 48, 48, 16",
        "45, 520, 40, 24, 19",
        "1, 40, 8, 8, 8"
    })
    void layersOfOneInputRunTogetherGiveTheBitsEachGetsAlone(int rows, int in, int out0, int out1, int out2) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int[] outs = {out0, out1, out2};
        float[] x = Seeds.gaussian(random, rows * in, 1);
        for (int trial = 0; trial < 6; trial++) {
            Linear[] layers = new Linear[outs.length];
            for (int j = 0; j < outs.length; j++) {
                List<LinearWeights> formats = everyFormat(random, outs[j], in);
                // The first trial runs three CSR layers (everyFormat's second entry), the model's case; then any mix.
                LinearWeights w = formats.get(trial == 0 ? 1 : random.nextInt(formats.size()));
                layers[j] = new Linear("layer" + j, w, Seeds.gaussian(random, outs[j], 0.3));
            }
            for (int threads = 1; threads <= 3; threads++) {
                try (CpuBackend backend = new CpuBackend(threads)) {
                    PreparedLinear[] prepared = new PreparedLinear[layers.length];
                    Activations[] together = new Activations[layers.length];
                    for (int j = 0; j < layers.length; j++) {
                        prepared[j] = backend.prepare(layers[j]);
                        together[j] = backend.allocate(rows, outs[j]);
                        Arrays.fill(((CpuActivations) together[j]).data(), Float.NaN);
                    }
                    Activations xs = backend.upload(x, rows, in);
                    backend.linears(prepared, xs, together);
                    for (int j = 0; j < layers.length; j++) {
                        Activations alone = backend.allocate(rows, outs[j]);
                        backend.linear(prepared[j], xs, ActivationFunction.NONE, alone);
                        assertArrayEquals(
                                backend.read(alone),
                                backend.read(together[j]),
                                "layer " + j + " (" + layers[j].weights().formatName() + ") on " + threads
                                        + " threads (seed=" + seed + ")");
                    }
                }
            }
        }
    }

    /**
     * A feed-forward block gives the bits of its two layers run one after the other, whether the backend passes the
     * hidden activations token-major (two CSR layers, fp32 or w8: one tile or several, padded or not) or falls back
     * to two linears (w8a8 CSR, other formats, a hidden width that is not whole vectors).
     */
    @ParameterizedTest
    @CsvSource({
        "16, 40, 64, 24",
        "17, 36, 48, 13",
        "1, 64, 16, 8",
        "45, 520, 32, 19",
        "70, 24, 40, 35",
        "9, 40, 20, 16",
        "33, 48, 96, 40"
    })
    void feedForwardGivesTheBitsOfItsTwoLayers(int rows, int in, int hidden, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] x = Seeds.gaussian(random, rows * in, 1);
        List<LinearWeights[]> pairs = new ArrayList<>();
        pairs.add(new LinearWeights[] {
            CsrWeights.fromDense(RandomWeights.unstructured(random, hidden, in, 0.6)),
            CsrWeights.fromDense(RandomWeights.unstructured(random, out, hidden, 0.8))
        });
        for (Int8Scheme scheme : Int8Scheme.values()) {
            pairs.add(new LinearWeights[] {
                CsrInt8Weights.quantize(
                        CsrWeights.fromDense(RandomWeights.unstructured(random, hidden, in, 0.5)), scheme),
                CsrInt8Weights.quantize(
                        CsrWeights.fromDense(RandomWeights.unstructured(random, out, hidden, 0.9)), scheme)
            });
        }
        pairs.add(new LinearWeights[] {
            new DenseWeights(RandomWeights.dense(random, hidden, in)),
            CsrWeights.fromDense(RandomWeights.unstructured(random, out, hidden, 0.5))
        });
        for (LinearWeights[] pair : pairs) {
            Linear up = new Linear("up", pair[0], Seeds.gaussian(random, hidden, 0.3));
            Linear down = new Linear("down", pair[1], Seeds.gaussian(random, out, 0.3));
            for (int threads = 1; threads <= 3; threads++) {
                try (CpuBackend backend = new CpuBackend(threads)) {
                    PreparedLinear first = backend.prepare(up);
                    PreparedLinear second = backend.prepare(down);
                    Activations xs = backend.upload(x, rows, in);
                    Activations h = backend.allocate(rows, hidden);
                    Activations expected = backend.allocate(rows, out);
                    backend.linear(first, xs, ActivationFunction.GELU, h);
                    backend.linear(second, h, ActivationFunction.NONE, expected);
                    Activations got = backend.allocate(rows, out);
                    Arrays.fill(((CpuActivations) got).data(), Float.NaN);
                    backend.feedForward(
                            first, ActivationFunction.GELU, second, xs, backend.allocate(rows, hidden), got);
                    assertArrayEquals(
                            backend.read(expected),
                            backend.read(got),
                            pair[0].formatName() + " then " + pair[1].formatName() + " on " + threads
                                    + " threads (seed=" + seed + ")");
                }
            }
        }
    }

    private static List<LinearWeights> everyFormat(Random random, int out, int in) {
        FloatMatrix unstructured = RandomWeights.unstructured(random, out, in, 0.6);
        FloatMatrix twoFour = RandomWeights.twoFour(random, out, in);
        List<LinearWeights> formats = new ArrayList<>(List.of(
                new DenseWeights(RandomWeights.dense(random, out, in)),
                CsrWeights.fromDense(unstructured),
                TwoFourWeights.fromDense(twoFour)));
        for (Int8Scheme scheme : Int8Scheme.values()) {
            formats.add(Int8Weights.quantize(RandomWeights.dense(random, out, in), scheme));
            formats.add(CsrInt8Weights.quantize(CsrWeights.fromDense(unstructured), scheme));
            formats.add(TwoFourInt8Weights.quantize(TwoFourWeights.fromDense(twoFour), scheme));
        }
        return formats;
    }

    private static LinearReference reference(
            LinearWeights w, float[] x, int rows, float[] bias, ActivationFunction activation) {
        int in = w.inFeatures();
        float[] input = x;
        if (usesW8A8(w)) {
            input = new float[x.length];
            byte[] q = new byte[in];
            for (int r = 0; r < rows; r++) {
                float scale = ActivationQuantizer.quantizeRow(x, r * in, in, q, 0);
                for (int i = 0; i < in; i++) {
                    input[r * in + i] = q[i] * scale;
                }
            }
        }
        return LinearReference.compute(input, rows, in, w.toDense().data(), bias, w.outFeatures(), activation);
    }

    private static boolean usesW8A8(LinearWeights w) {
        return switch (w) {
            case Int8Weights q -> q.scales().scheme() == Int8Scheme.W8A8;
            case CsrInt8Weights q -> q.scales().scheme() == Int8Scheme.W8A8;
            case TwoFourInt8Weights q -> q.scales().scheme() == Int8Scheme.W8A8;
            default -> false;
        };
    }
}
