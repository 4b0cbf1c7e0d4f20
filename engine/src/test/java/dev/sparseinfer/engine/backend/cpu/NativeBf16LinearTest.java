package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Dense fp32 layers at bf16 precision on the native AVX-512 BF16 kernel against a float64 oracle of the same bf16
 * operands, and the fallback to fp32 where the kernel cannot run.
 */
class NativeBf16LinearTest {

    private static final int[] TOKENS = {1, 3, 7, 13};
    /** Odd and even, below one 16-float block, MiniLM's width, and past a multiple of 16 by one. */
    private static final int[] INPUTS = {1, 5, 384, 1537};
    /** One output, part of a 16-lane group, past one 64-output panel, past two. */
    private static final int[] OUTPUTS = {1, 19, 70, 129};

    private static CpuKernelSelection bf16Selection() {
        CpuKernelSelection selection = CpuKernelProvider.selection();
        assumeTrue(selection.nativeBf16(), "no native bf16 kernel here: " + selection.bf16Unavailable());
        return selection;
    }

    /**
     * Each output against {@code bias + sum_i bf16(x_i) * bf16(w_i)} in float64. A product of two bf16 values (8-bit
     * significands) is exact in fp32, so the kernel's only error is its fp32 summation of {@code K} products and the
     * bias, in its own order: at most {@code (K + 1)} roundings of a partial sum no larger than
     * {@code S = |bias| + sum_i |bf16(x_i) * bf16(w_i)|}, each within {@code 2^-24} of it, so
     * {@code |error| <= (K + 1) * 2^-24 * S} to first order (bound taken as {@code (K + 2)} for the second). Dropping or
     * doubling any one product (a wrong tail, a wrong lane) misses by about {@code S / K}, far past it.
     */
    @Test
    void matchesTheFloat64SumOfBf16ProductsAtOddShapesOnAnyThreadCount() {
        CpuKernelSelection selection = bf16Selection();
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        for (int in : INPUTS) {
            for (int out : OUTPUTS) {
                float[] w = Seeds.gaussian(random, out * in, 1 / Math.sqrt(in));
                float[] bias = Seeds.gaussian(random, out, 0.3);
                for (int rows : TOKENS) {
                    float[] x = Seeds.gaussian(random, rows * in, 1);
                    for (int threads = 1; threads <= 3; threads++) {
                        float[] y = run(selection, threads, Precision.BF16, w, bias, x, rows, out, in);
                        for (int r = 0; r < rows; r++) {
                            for (int o = 0; o < out; o++) {
                                double sum = bias[o];
                                double magnitude = Math.abs(bias[o]);
                                for (int i = 0; i < in; i++) {
                                    double p = (double) bf16(x[r * in + i]) * bf16(w[o * in + i]);
                                    sum += p;
                                    magnitude += Math.abs(p);
                                }
                                double bound = (in + 2) * 0x1p-24 * magnitude;
                                assertEquals(
                                        sum,
                                        y[r * out + o],
                                        bound,
                                        "[" + rows + "x" + in + "] -> " + out + " on " + threads + " threads, token "
                                                + r + ", output " + o + " (seed=" + seed + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    /** The layer really runs at bf16: its outputs differ from fp32's, by about bf16's relative step, 2^-8. */
    @Test
    void runsTheNativeKernelAndSaysSo() {
        CpuKernelSelection selection = bf16Selection();
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int rows = 9;
        int in = 384;
        int out = 384;
        float[] w = Seeds.gaussian(random, out * in, 1 / Math.sqrt(in));
        float[] bias = new float[out];
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] fp32 = run(selection, 2, Precision.FP32, w, bias, x, rows, out, in);
        float[] bf16 = run(selection, 2, Precision.BF16, w, bias, x, rows, out, in);
        double error = Seeds.relativeError(bf16, fp32);
        assertTrue(error > 1e-4 && error < 1e-2, "relative error " + error + " (seed=" + seed + ")");
        try (CpuBackend backend = new CpuBackend(selection, 2, Precision.BF16)) {
            assertTrue(backend.description().endsWith(", avx512-bf16 linear, 2 threads)"), backend.description());
            assertEquals(selection.notice(), backend.notice());
        }
    }

    /** With the native library off, bf16 is refused in one notice line and dense layers give fp32's bits. */
    @Test
    void withTheNativeLibraryOffBf16RunsFp32AndSaysWhy() {
        CpuKernelSelection off = CpuKernelProvider.select(
                true,
                null,
                NativeInt8Property.parse("false", null),
                new CpuKernelProvider.NativeInt8Host("Linux", "amd64", true, () -> 0b111));
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] w = Seeds.gaussian(random, 70 * 37, 0.2);
        float[] bias = Seeds.gaussian(random, 70, 0.3);
        float[] x = Seeds.gaussian(random, 5 * 37, 1);
        assertArrayEquals(
                run(off, 1, Precision.FP32, w, bias, x, 5, 70, 37),
                run(off, 1, Precision.BF16, w, bias, x, 5, 70, 37),
                "seed=" + seed);
        try (CpuBackend backend = new CpuBackend(off, 1, Precision.BF16)) {
            assertEquals(
                    Optional.of("cpu: native int8 kernels off (-Dsparseinfer.native=false), w8a8 runs the Vector API"
                            + " kernels; cpu: bf16 precision refused, dense layers run fp32: the native library is"
                            + " off (-Dsparseinfer.native=false)"),
                    backend.notice());
            assertTrue(!backend.description().contains("bf16"), backend.description());
        }
    }

    @Test
    void anUnknownPrecisionIsRefusedInOneLine() {
        SparseInferException e = assertThrows(SparseInferException.class, () -> Precision.parse("fp16"));
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertEquals("unknown precision 'fp16' (expected fp32 or bf16)", e.getMessage());
        assertEquals(Precision.BF16, Precision.parse(" BF16 "));
    }

    private static float[] run(
            CpuKernelSelection selection,
            int threads,
            Precision precision,
            float[] w,
            float[] bias,
            float[] x,
            int rows,
            int out,
            int in) {
        try (CpuBackend backend = new CpuBackend(selection, threads, precision)) {
            PreparedLinear layer =
                    backend.prepare(new Linear("layer", new DenseWeights(new FloatMatrix(out, in, w)), bias));
            boolean bf16 = precision == Precision.BF16 && selection.nativeBf16();
            assertEquals(bf16 ? NativeBf16Linear.class : DenseLinear.class, layer.getClass());
            Activations ys = backend.allocate(rows, out);
            backend.linear(layer, backend.upload(x, rows, in), ActivationFunction.NONE, ys);
            return backend.read(ys);
        }
    }

    /** fp32 to bf16, rounded to nearest even (no NaNs here), widened back to fp32. */
    private static float bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000);
    }
}
