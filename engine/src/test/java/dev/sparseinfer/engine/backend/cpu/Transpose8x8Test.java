package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Transpose8x8Test {

    /** Strides wider than the block and offsets into the arrays, as the sparse kernels' tiles use them. */
    @ParameterizedTest
    @CsvSource({"8, 8, 0, 0", "384, 16, 5, 3", "13, 24, 40, 1", "1536, 32, 1, 8"})
    void blockIsTheTransposeAndWritesNothingElse(int srcStride, int dstStride, int srcAt, int dstAt) {
        assumeTrue(Transpose8x8.AVAILABLE, "needs 8-float vectors, this JVM prefers "
                + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] src = Seeds.gaussian(random, srcAt + 8 * srcStride, 1);
        float[] dst = Seeds.gaussian(random, dstAt + 8 * dstStride, 1);
        float[] before = dst.clone();
        Transpose8x8.block(src, srcAt, srcStride, dst, dstAt, dstStride);
        for (int i = 0; i < dst.length; i++) {
            int c = (i - dstAt) / dstStride;
            int r = (i - dstAt) % dstStride;
            boolean inBlock = i >= dstAt && r < 8 && c < 8;
            float expected = inBlock ? src[srcAt + r * srcStride + c] : before[i];
            assertEquals(expected, dst[i], 0f, "dst[" + i + "] (seed=" + seed + ")");
        }
    }
}
