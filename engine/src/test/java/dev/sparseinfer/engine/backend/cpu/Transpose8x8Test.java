package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Transpose8x8Test {

    /** Strides wider than the block and offsets into the arrays, as the sparse kernels' tiles use them. */
    @ParameterizedTest
    @CsvSource({"8, 8, 0, 0", "384, 16, 5, 3", "13, 24, 40, 1", "1536, 32, 1, 8"})
    void blockIsTheTransposeAndWritesNothingElse(int srcStride, int dstStride, int srcAt, int dstAt) {
        assumeTrue(
                Transpose8x8.AVAILABLE,
                "needs 8-float vectors, this JVM prefers " + FloatVector.SPECIES_PREFERRED.length());
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

    /** Strips of 8 rows whose width is and is not a multiple of 8: whole blocks, then the columns left over. */
    @ParameterizedTest
    @CsvSource({"8, 10, 8, 0, 0", "13, 40, 16, 2, 5", "5, 7, 24, 0, 3", "36, 36, 8, 4, 0"})
    void rowsIsTheTransposeOfAnEightRowStrip(int cols, int srcStride, int dstStride, int srcAt, int dstAt) {
        assumeTrue(Transpose8x8.AVAILABLE, "needs 8-float vectors");
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] src = Seeds.gaussian(random, srcAt + 8 * srcStride, 1);
        float[] dst = Seeds.gaussian(random, dstAt + cols * dstStride, 1);
        float[] before = dst.clone();
        Transpose8x8.rows(src, srcAt, srcStride, cols, dst, dstAt, dstStride);
        for (int i = 0; i < dst.length; i++) {
            int c = (i - dstAt) / dstStride;
            int r = (i - dstAt) % dstStride;
            boolean inStrip = i >= dstAt && r < 8 && c < cols;
            float expected = inStrip ? src[srcAt + r * srcStride + c] : before[i];
            assertEquals(expected, dst[i], 0f, "dst[" + i + "] (seed=" + seed + ")");
        }
    }
}
