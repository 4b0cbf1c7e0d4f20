package dev.sparseinfer.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightFormatsTest {

    @Test
    void sparseFormatsRoundTripTheirDenseMatrixExactly() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        FloatMatrix unstructured = RandomWeights.unstructured(random, 9, 21, 0.7);
        assertArrayEquals(
                unstructured.data(),
                CsrWeights.fromDense(unstructured).toDense().data(),
                "CSR seed=" + seed);
        FloatMatrix twoFour = RandomWeights.twoFour(random, 7, 28);
        assertArrayEquals(
                twoFour.data(), TwoFourWeights.fromDense(twoFour).toDense().data(), "2:4 seed=" + seed);
    }

    @Test
    void twoFourMetadataFollowsTheDocumentedBitOrder() {
        // Row 0 keeps columns 1 and 3 of group 0 and columns 0 and 2 of group 1.
        FloatMatrix m = new FloatMatrix(1, 8, new float[] {0, 1, 0, 2, 3, 0, 4, 0});
        TwoFourWeights w = TwoFourWeights.fromDense(m);
        // Group 0: i0=1, i1=3 -> 0b1101 in the low nibble; group 1: i0=0, i1=2 -> 0b1000 in the high nibble.
        assertEquals((byte) 0b1000_1101, w.pattern().meta()[0]);
        assertArrayEquals(new float[] {1, 2, 3, 4}, w.values());
    }

    @Test
    void twoFourRejectsAGroupWithThreeNonZeros() {
        FloatMatrix m = new FloatMatrix(1, 4, new float[] {1, 1, 1, 0});
        assertThrows(SparseInferException.class, () -> TwoFourWeights.fromDense(m));
    }

    @Test
    void twoFourRejectsInvalidMetadata() {
        // i0 == i1 is not a valid pair of positions.
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> new TwoFourPattern(1, 4, new byte[] {0b0101}));
        assertTrue(e.getMessage().contains("group 0"), e.getMessage());
        assertThrows(SparseInferException.class, () -> new TwoFourPattern(1, 6, new byte[1]));
    }

    @Test
    void csrRejectsBrokenIndexArrays() {
        assertThrows(SparseInferException.class, () -> new CsrPattern(2, 3, new int[] {0, 1}, new int[] {0, 2, 1}));
        assertThrows(SparseInferException.class, () -> new CsrPattern(1, 3, new int[] {3}, new int[] {0, 1}));
        assertThrows(SparseInferException.class, () -> new CsrPattern(1, 3, new int[] {2, 1}, new int[] {0, 2}));
        assertThrows(SparseInferException.class, () -> new CsrPattern(1, 3, new int[] {0}, new int[] {0, 2}));
    }

    @Test
    void int8QuantisationIsPerChannelAndWithinHalfAStep() {
        long seed = Seeds.fresh();
        FloatMatrix dense = RandomWeights.dense(new Random(seed), 5, 33);
        Int8Weights q = Int8Weights.quantize(dense, Int8Scheme.W8);
        FloatMatrix back = q.toDense();
        for (int o = 0; o < 5; o++) {
            float scale = q.scales().scales()[o];
            for (int i = 0; i < 33; i++) {
                assertTrue(Math.abs(back.get(o, i) - dense.get(o, i)) <= scale * 0.5001f, "seed=" + seed);
            }
        }
        assertThrows(
                SparseInferException.class,
                () -> new Int8Weights(
                        1, 1, new byte[] {Byte.MIN_VALUE}, new Int8Scales(new float[] {1}, Int8Scheme.W8)));
    }

    @Test
    void storedBytesShrinkAsTheFormatsPromise() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        FloatMatrix twoFour = RandomWeights.twoFour(random, 384, 384);
        long dense = new DenseWeights(twoFour).storedBytes();
        TwoFourWeights tf = TwoFourWeights.fromDense(twoFour);
        assertTrue(tf.storedBytes() <= 0.57 * dense, "2:4 fp32: " + tf.storedBytes() + " of " + dense);
        Int8Weights int8 = Int8Weights.quantize(RandomWeights.dense(random, 384, 384), Int8Scheme.W8A8);
        assertTrue(int8.storedBytes() <= 0.27 * dense, "int8: " + int8.storedBytes() + " of " + dense);
    }
}
