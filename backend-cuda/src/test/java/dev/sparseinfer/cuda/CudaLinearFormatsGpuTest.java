package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.cpu.ActivationQuantizer;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.backend.cpu.LinearReference;
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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every weight format on the device against the float64 reference of its dense expansion, at token counts on both
 * sides of the 2:4 small-N switch and the kernels' tiles, with in/out features that are not multiples of a tile.
 * fp16 operands with fp32 accumulation land near 1e-3 relative error; w8a8 is compared with its inputs quantised
 * as the format prescribes, so its integer sums are exact and only the fp32 rescale remains. w8a8 layers of every
 * sparsity must also give the CPU backend's outputs bit for bit, on random inputs and on rounding ties.
 */
@Tag("gpu")
class CudaLinearFormatsGpuTest {

    private static final double HALF_BOUND = 4e-3;
    /**
     * The device quantises each token to the CPU's integers, bit for bit, and sums their products exactly, so against
     * the float64 reference of the same quantised input only fp32 rounding remains (the rescale, the bias, GELU and
     * the reference's own fp32 inputs: about 1e-7). One activation a quantum off in one token of these shapes moves
     * the output by some 1e-4, a wrong scale, packing or tile by far more; the comparison with the CPU backend below
     * is bit for bit.
     */
    private static final double W8A8_BOUND = 1e-5;

    private static final String SHAPES = """
            1, 36, 13
            7, 100, 33
            17, 388, 50
            129, 384, 1536
            16, 1536, 384
            65, 68, 200""";

    /** 2:4 (fp32 and int8 of both schemes) and w8a8: our kernels, which need neither cuBLAS nor cuSPARSE. */
    @ParameterizedTest
    @CsvSource(textBlock = SHAPES)
    void ourKernelsMatchTheFloat64Reference(int tokens, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        TwoFourWeights twoFour = TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in));
        List<LinearWeights> formats = new ArrayList<>(
                List.of(twoFour, Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8A8)));
        for (Int8Scheme scheme : Int8Scheme.values()) {
            formats.add(TwoFourInt8Weights.quantize(twoFour, scheme));
        }
        try (CudaBackend backend = GpuTesting.backendForKernels()) {
            check(backend, formats, tokens, in, out, random, seed);
        }
    }

    /** Dense and int8 weight-only (cuBLAS), CSR and CSR int8 of both schemes (cuSPARSE). */
    @ParameterizedTest
    @CsvSource(textBlock = SHAPES)
    void libraryFormatsMatchTheFloat64Reference(int tokens, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        CsrWeights csr = CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, 0.6));
        List<LinearWeights> formats = new ArrayList<>(List.of(
                new DenseWeights(RandomWeights.dense(random, out, in)),
                Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8),
                csr));
        for (Int8Scheme scheme : Int8Scheme.values()) {
            formats.add(CsrInt8Weights.quantize(csr, scheme));
        }
        try (CudaBackend backend = GpuTesting.backend()) {
            check(backend, formats, tokens, in, out, random, seed);
        }
    }

    /** 2:4 and dense w8a8, our kernels, against the CPU backend: the same outputs, bit for bit. */
    @ParameterizedTest
    @CsvSource(textBlock = SHAPES)
    void ourW8a8KernelsGiveTheCpuBackendsOutputs(int tokens, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        List<LinearWeights> formats = List.of(
                TwoFourInt8Weights.quantize(
                        TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in)), Int8Scheme.W8A8),
                Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8A8));
        try (CudaBackend backend = GpuTesting.backendForKernels();
                CpuBackend cpu = new CpuBackend(4)) {
            checkAgainstCpu(backend, cpu, formats, tokens, in, out, random, seed);
        }
    }

    /** CSR w8a8 through cuSPARSE against the CPU backend: the same outputs, bit for bit. */
    @ParameterizedTest
    @CsvSource(textBlock = SHAPES)
    void csrW8a8GivesTheCpuBackendsOutputs(int tokens, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        List<LinearWeights> formats = List.of(CsrInt8Weights.quantize(
                CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, 0.6)), Int8Scheme.W8A8));
        try (CudaBackend backend = GpuTesting.backend();
                CpuBackend cpu = new CpuBackend(4)) {
            checkAgainstCpu(backend, cpu, formats, tokens, in, out, random, seed);
        }
    }

    /**
     * Without an activation (GELU's erf differs in its last bits), on random inputs, and on inputs whose products
     * land on rounding ties ({@link QuantizationTies}) through an identity layer, where every output is one
     * quantised input.
     */
    private static void checkAgainstCpu(
            CudaBackend backend,
            CpuBackend cpu,
            List<LinearWeights> formats,
            int tokens,
            int in,
            int out,
            Random random,
            long seed) {
        float[] x = Seeds.gaussian(random, tokens * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        float[] ties = QuantizationTies.rows(tokens, in, random);
        for (LinearWeights w : formats) {
            assertSameOutputs(backend, cpu, new Linear("layer", w, bias), x, tokens, seed);
            assertSameOutputs(backend, cpu, new Linear("identity", identity(w, in), new float[in]), ties, tokens, seed);
        }
    }

    /** The identity matrix in {@code w}'s format, w8a8. */
    private static LinearWeights identity(LinearWeights w, int width) {
        float[] values = new float[width * width];
        for (int i = 0; i < width; i++) {
            values[i * width + i] = 1f;
        }
        FloatMatrix identity = new FloatMatrix(width, width, values);
        return switch (w) {
            case TwoFourInt8Weights q ->
                TwoFourInt8Weights.quantize(TwoFourWeights.fromDense(identity), Int8Scheme.W8A8);
            case CsrInt8Weights q -> CsrInt8Weights.quantize(CsrWeights.fromDense(identity), Int8Scheme.W8A8);
            default -> Int8Weights.quantize(identity, Int8Scheme.W8A8);
        };
    }

    private static void assertSameOutputs(
            CudaBackend backend, CpuBackend cpu, Linear layer, float[] x, int tokens, long seed) {
        int in = layer.inFeatures();
        int out = layer.outFeatures();
        Activations expected = cpu.allocate(tokens, out);
        cpu.linear(cpu.prepare(layer), cpu.upload(x, tokens, in), ActivationFunction.NONE, expected);
        Activations actual = GpuTesting.poisoned(backend, tokens, out);
        backend.linear(backend.prepare(layer), backend.upload(x, tokens, in), ActivationFunction.NONE, actual);
        assertArrayEquals(
                cpu.read(expected),
                backend.read(actual),
                layer.weights().formatName() + " " + layer.name() + " [" + tokens + "x" + in + "] -> " + out + " (seed="
                        + seed + ")");
    }

    private static boolean quantizesActivations(LinearWeights w) {
        return switch (w) {
            case Int8Weights q -> q.scales().scheme() == Int8Scheme.W8A8;
            case CsrInt8Weights q -> q.scales().scheme() == Int8Scheme.W8A8;
            case TwoFourInt8Weights q -> q.scales().scheme() == Int8Scheme.W8A8;
            default -> false;
        };
    }

    private static void check(
            CudaBackend backend, List<LinearWeights> formats, int tokens, int in, int out, Random random, long seed) {
        float[] x = Seeds.gaussian(random, tokens * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        for (LinearWeights w : formats) {
            PreparedLinear layer = backend.prepare(new Linear("layer", w, bias));
            boolean w8a8 = quantizesActivations(w);
            for (ActivationFunction activation : ActivationFunction.values()) {
                Activations xs = backend.upload(x, tokens, in);
                Activations ys = GpuTesting.poisoned(backend, tokens, out);
                backend.linear(layer, xs, activation, ys);
                float[] input = w8a8 ? quantised(x, tokens, in) : x;
                LinearReference expected =
                        LinearReference.compute(input, tokens, in, w.toDense().data(), bias, out, activation);
                double error = GpuTesting.relativeError(backend.read(ys), expected.values());
                double bound = w8a8 ? W8A8_BOUND : HALF_BOUND;
                assertTrue(
                        error < bound,
                        w.formatName() + " on " + LinearKernel.forFormat(w) + " " + activation
                                + " [" + tokens + "x" + in + "] -> " + out + ": relative error " + error + " (seed="
                                + seed + ")");
            }
        }
    }

    /** The input as the w8a8 kernel sees it: quantised per token by the CPU backend's rule, then rescaled. */
    private static float[] quantised(float[] x, int tokens, int in) {
        float[] out = new float[x.length];
        byte[] q = new byte[in];
        for (int t = 0; t < tokens; t++) {
            float scale = ActivationQuantizer.quantizeRow(x, t * in, in, q, 0);
            for (int i = 0; i < in; i++) {
                out[t * in + i] = q[i] * scale;
            }
        }
        return out;
    }
}
