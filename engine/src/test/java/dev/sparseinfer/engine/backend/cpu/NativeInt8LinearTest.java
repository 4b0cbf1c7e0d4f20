package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
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
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * w8a8 layers (dense, 2:4 and CSR) on the native int8 kernels, at every instruction set this CPU runs, give the bits of
 * the Vector API kernels that run when the native ones are off: both sum the same int8 products exactly and rescale
 * the same way.
 */
class NativeInt8LinearTest {

    private static final List<NativeInt8Isa> ISAS = new ArrayList<>();

    @BeforeAll
    static void nativeKernels() {
        assumeTrue(
                NativeInt8Library.class.getResource(NativeInt8Library.RESOURCE) != null,
                "the native int8 library was not built (no gcc, or not Linux x86-64)");
        int levels = NativeInt8Library.levels();
        for (NativeInt8Isa isa : NativeInt8Isa.values()) {
            if (isa.supportedBy(levels)) {
                ISAS.add(isa);
            }
        }
        assumeTrue(!ISAS.isEmpty(), "this CPU runs none of the native int8 kernels");
    }

    @ParameterizedTest
    @CsvSource({"1, 4, 1", "3, 383, 67", "17, 36, 129", "16, 384, 384", "5, 1537, 70", "45, 520, 19", "1, 64, 200"})
    void nativeW8a8GivesTheVectorKernelsBits(int rows, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        FloatMatrix dense = RandomWeights.dense(random, out, in);
        List<LinearWeights> formats = new ArrayList<>(List.of(Int8Weights.quantize(dense, Int8Scheme.W8A8)));
        if (in % 4 == 0) {
            formats.add(TwoFourInt8Weights.quantize(
                    TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in)), Int8Scheme.W8A8));
        }
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        CpuKernelSelection vector = CpuKernelProvider.selection().withNativeInt8(Optional.empty());
        for (LinearWeights w : formats) {
            for (ActivationFunction activation : ActivationFunction.values()) {
                float[] expected = run(vector, 1, w, x, rows, bias, activation);
                for (NativeInt8Isa isa : ISAS) {
                    for (int threads = 1; threads <= 3; threads++) {
                        float[] got =
                                run(vector.withNativeInt8(Optional.of(isa)), threads, w, x, rows, bias, activation);
                        assertArrayEquals(
                                expected,
                                got,
                                isa.label() + " " + w.formatName() + " " + activation + " [" + rows + "x" + in + "] -> "
                                        + out + " on " + threads + " threads (seed=" + seed + ")");
                    }
                }
            }
        }
    }

    /**
     * A w8a8 CSR layer keeping enough weights runs the native dense kernel on its zero-filled weights, with the
     * CSR kernel's numbers to float rounding (the same exact sums, rescaled in another order); a sparser one stays CSR.
     */
    @ParameterizedTest
    @CsvSource({"1, 383, 67", "17, 384, 129", "45, 520, 19"})
    void csrW8a8RunsDenseNativeDownToItsThreshold(int rows, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] bias = Seeds.gaussian(random, out, 0.3);
        CpuKernelSelection vector = CpuKernelProvider.selection().withNativeInt8(Optional.empty());
        for (double sparsity : new double[] {0.5, 0.9, 0.99}) {
            LinearWeights w = CsrInt8Weights.quantize(
                    CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, sparsity)), Int8Scheme.W8A8);
            float[] expected = run(vector, 1, w, x, rows, bias, ActivationFunction.NONE);
            for (NativeInt8Isa isa : ISAS) {
                try (CpuBackend backend = new CpuBackend(vector.withNativeInt8(Optional.of(isa)), 2)) {
                    PreparedLinear layer = backend.prepare(new Linear("layer", w, bias));
                    assertEquals(sparsity < 0.95 ? NativeInt8Linear.class : CsrLinear.class, layer.getClass());
                    Activations ys = backend.allocate(rows, out);
                    backend.linear(layer, backend.upload(x, rows, in), ActivationFunction.NONE, ys);
                    float[] got = backend.read(ys);
                    for (int k = 0; k < got.length; k++) {
                        assertEquals(
                                expected[k],
                                got[k],
                                1e-5 * (1 + Math.abs(expected[k])),
                                isa.label() + " CSR " + sparsity + " [" + rows + "x" + in + "] -> " + out + ", output "
                                        + k + " (seed=" + seed + ")");
                    }
                }
            }
        }
    }

    /** The packed weights go with the backend: a layer used after its backend closed fails, never reads freed memory. */
    @Test
    void aLayerUsedAfterItsBackendClosedFailsWithAnException() {
        Random random = new Random(Seeds.fresh());
        LinearWeights w = Int8Weights.quantize(RandomWeights.dense(random, 64, 32), Int8Scheme.W8A8);
        CpuBackend backend = new CpuBackend(CpuKernelProvider.selection().withNativeInt8(Optional.of(ISAS.get(0))), 1);
        PreparedLinear layer = backend.prepare(new Linear("layer", w, new float[64]));
        Activations x = backend.upload(Seeds.gaussian(random, 3 * 32, 1), 3, 32);
        Activations y = backend.allocate(3, 64);
        backend.linear(layer, x, ActivationFunction.NONE, y);
        backend.close();
        backend.close();
        assertThrows(IllegalStateException.class, () -> backend.linear(layer, x, ActivationFunction.NONE, y));
    }

    private static float[] run(
            CpuKernelSelection kernels,
            int threads,
            LinearWeights w,
            float[] x,
            int rows,
            float[] bias,
            ActivationFunction activation) {
        try (CpuBackend backend = new CpuBackend(kernels, threads)) {
            PreparedLinear layer = backend.prepare(new Linear("layer", w, bias));
            Class<?> expected = kernels.nativeInt8().isPresent() ? NativeInt8Linear.class : Int8DenseLinear.class;
            if (w instanceof CsrInt8Weights) {
                expected = kernels.nativeInt8().isPresent() ? NativeInt8Linear.class : CsrLinear.class;
            }
            assertEquals(expected, layer.getClass());
            Activations ys = backend.allocate(rows, w.outFeatures());
            backend.linear(layer, backend.upload(x, rows, w.inFeatures()), activation, ys);
            assertEquals(kernels.nativeInt8().isPresent(), backend.description().contains("native"));
            return backend.read(ys);
        }
    }
}
