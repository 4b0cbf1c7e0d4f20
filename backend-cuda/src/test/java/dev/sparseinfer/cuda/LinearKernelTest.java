package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.kernels.KernelName;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearKernelTest {

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);
    private final FloatMatrix dense = RandomWeights.dense(random, 19, 36);
    private final CsrWeights csr = CsrWeights.fromDense(RandomWeights.unstructured(random, 19, 36, 0.7));
    private final TwoFourWeights twoFour = TwoFourWeights.fromDense(RandomWeights.twoFour(random, 19, 36));

    @Test
    void eachFormatRunsOnItsKernel() {
        assertEquals(LinearKernel.CUBLAS_HALF, LinearKernel.forFormat(new DenseWeights(dense)));
        assertEquals(LinearKernel.CUBLAS_HALF, LinearKernel.forFormat(Int8Weights.quantize(dense, Int8Scheme.W8)));
        assertEquals(LinearKernel.INT8_DP4A, LinearKernel.forFormat(Int8Weights.quantize(dense, Int8Scheme.W8A8)));
        assertEquals(LinearKernel.CUSPARSE_HALF, LinearKernel.forFormat(csr));
        for (Int8Scheme scheme : Int8Scheme.values()) {
            assertEquals(LinearKernel.CUSPARSE_HALF, LinearKernel.forFormat(CsrInt8Weights.quantize(csr, scheme)));
            assertEquals(
                    LinearKernel.TWO_FOUR_SPARSE_TENSOR_CORES,
                    LinearKernel.forFormat(TwoFourInt8Weights.quantize(twoFour, scheme)));
        }
        assertEquals(LinearKernel.TWO_FOUR_SPARSE_TENSOR_CORES, LinearKernel.forFormat(twoFour));
    }

    @Test
    void formatsWithTheirOwnKernelAreUploadedAsTheyAreWithoutEpilogueScales() {
        for (LinearWeights w :
                new LinearWeights[] {new DenseWeights(dense), csr, twoFour, Int8Weights.quantize(dense, Int8Scheme.W8A8)
                }) {
            assertSame(w, LinearKernel.deviceWeights(w));
            assertEquals(Optional.empty(), LinearKernel.epilogueScales(w));
        }
    }

    /** Not their dequantised values: those would make a w8a8 layer compute another function than on the CPU. */
    @Test
    void int8FormatsOnHalfKernelsKeepTheirIntegersSparsityAndScales() {
        for (Int8Scheme scheme : Int8Scheme.values()) {
            CsrInt8Weights csrInt8 = CsrInt8Weights.quantize(csr, scheme);
            CsrWeights csrHalf = (CsrWeights) LinearKernel.deviceWeights(csrInt8);
            assertSame(csrInt8.pattern(), csrHalf.pattern());
            assertArrayEquals(widened(csrInt8.values()), csrHalf.values(), "seed=" + seed);
            assertSame(csrInt8.scales(), LinearKernel.epilogueScales(csrInt8).orElseThrow());

            TwoFourInt8Weights twoFourInt8 = TwoFourInt8Weights.quantize(twoFour, scheme);
            TwoFourWeights twoFourHalf = (TwoFourWeights) LinearKernel.deviceWeights(twoFourInt8);
            assertSame(twoFourInt8.pattern(), twoFourHalf.pattern());
            assertArrayEquals(widened(twoFourInt8.values()), twoFourHalf.values(), "seed=" + seed);
            assertSame(
                    twoFourInt8.scales(),
                    LinearKernel.epilogueScales(twoFourInt8).orElseThrow());
        }
        Int8Weights weightOnly = Int8Weights.quantize(dense, Int8Scheme.W8);
        assertArrayEquals(
                widened(weightOnly.values()),
                ((DenseWeights) LinearKernel.deviceWeights(weightOnly)).matrix().data(),
                "seed=" + seed);
        assertSame(weightOnly.scales(), LinearKernel.epilogueScales(weightOnly).orElseThrow());
    }

    private static float[] widened(byte[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = values[i];
        }
        return floats;
    }

    @Test
    void upToSixteenTokensTwoFourRunsTheMemoryBoundKernel() {
        assertEquals(KernelName.TWOFOUR_SMALL_N, LinearKernel.twoFourKernel(1));
        assertEquals(KernelName.TWOFOUR_SMALL_N, LinearKernel.twoFourKernel(16));
        assertEquals(KernelName.TWOFOUR_GEMM, LinearKernel.twoFourKernel(17));
    }
}
