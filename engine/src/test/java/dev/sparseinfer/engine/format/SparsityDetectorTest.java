package dev.sparseinfer.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SparsityDetectorTest {

    @Test
    void takes2to4BeforeCsrAndKeepsEveryValue() {
        // 75% zeros and 2:4 too: 2:4 wins, for the GPU's sparse tensor cores.
        float[] d = {0, 3, 0, 0, -1, 0, 0, 2, 0, 0, 0, 0};
        LinearWeights w = SparsityDetector.detect(new DenseWeights(new FloatMatrix(1, 12, d)));
        assertEquals(TwoFourWeights.class, w.getClass());
        assertArrayEquals(d, w.toDense().data());
    }

    @Test
    void takesCsrFromTheThresholdOfExactZeros() {
        // 10 inputs: no groups of 4, so never 2:4; 7 of 10 zeros is the 70% threshold.
        float[] atThreshold = {1, 2, 3, 0, 0, 0, 0, 0, 0, 0};
        LinearWeights csr = SparsityDetector.detect(new DenseWeights(new FloatMatrix(1, 10, atThreshold)));
        assertEquals(CsrWeights.class, csr.getClass());
        assertArrayEquals(atThreshold, csr.toDense().data());

        DenseWeights below = new DenseWeights(new FloatMatrix(1, 10, new float[] {1, 2, 3, 1e-30f, 0, 0, 0, 0, 0, 0}));
        assertSame(below, SparsityDetector.detect(below), "a tiny value is not a zero");
    }

    @Test
    void leavesFormatsOtherThanDenseAlone() {
        CsrWeights csr = CsrWeights.fromDense(new FloatMatrix(2, 4, new float[] {1, 2, 3, 0, 0, 0, 0, 0}));
        assertSame(csr, SparsityDetector.detect(csr));
    }
}
