package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.cpu.ActivationQuantizer;
import dev.sparseinfer.engine.backend.cpu.LinearReference;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
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
 * as the format prescribes, so its int32 sums are exact and only rounding ties and fp32 rescaling remain.
 */
@Tag("gpu")
class CudaLinearFormatsGpuTest {

    private static final double HALF_BOUND = 4e-3;
    /**
     * The reference quantises the input as the CPU does; the device may fuse {@code x * inv + 0.5} into one FMA, so
     * an input a hair from a rounding tie can land one quantum away, which moves a small layer's output by ~1e-3.
     * A wrong scale, packing or tile is off by far more.
     */
    private static final double W8A8_BOUND = 3e-3;

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
        List<LinearWeights> formats = new ArrayList<>(List.of(twoFour,
                Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8A8)));
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
        List<LinearWeights> formats = new ArrayList<>(List.of(new DenseWeights(RandomWeights.dense(random, out, in)),
                Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8), csr));
        for (Int8Scheme scheme : Int8Scheme.values()) {
            formats.add(CsrInt8Weights.quantize(csr, scheme));
        }
        try (CudaBackend backend = GpuTesting.backend()) {
            check(backend, formats, tokens, in, out, random, seed);
        }
    }

    private static void check(CudaBackend backend, List<LinearWeights> formats, int tokens, int in, int out,
                              Random random, long seed) {
        float[] x = Seeds.gaussian(random, tokens * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        for (LinearWeights w : formats) {
            PreparedLinear layer = backend.prepare(new Linear("layer", w, bias));
            boolean w8a8 = LinearKernel.forFormat(w) == LinearKernel.INT8_DP4A;
            for (ActivationFunction activation : ActivationFunction.values()) {
                Activations xs = backend.upload(x, tokens, in);
                Activations ys = GpuTesting.poisoned(backend, tokens, out);
                backend.linear(layer, xs, activation, ys);
                float[] input = w8a8 ? quantised(x, tokens, in) : x;
                LinearReference expected = LinearReference.compute(input, tokens, in, w.toDense().data(), bias,
                        out, activation);
                double error = GpuTesting.relativeError(backend.read(ys), expected.values());
                double bound = w8a8 ? W8A8_BOUND : HALF_BOUND;
                assertTrue(error < bound, w.formatName() + " on " + LinearKernel.forFormat(w) + " " + activation
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
