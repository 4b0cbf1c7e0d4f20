package dev.sparseinfer.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.FloatTable;
import java.util.Random;

/** Random embedding tables and the bound that int8 per-row quantisation must keep them within. */
public final class TableQuantisation {

    private TableQuantisation() {}

    /** Rows of very different ranges, so a shared scale would fail the per-row bound. */
    public static FloatTable randomTable(Random random, int rows, int cols) {
        float[] data = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            double range = Math.pow(10, random.nextInt(5) - 3);
            for (int c = 0; c < cols; c++) {
                data[r * cols + c] = (float) (random.nextGaussian() * range);
            }
        }
        return FloatTable.of(new FloatMatrix(rows, cols, data));
    }

    /**
     * Each entry within half its row's scale ({@code max|row| / 127}, here in float64) of the original: the rounding
     * error of symmetric quantisation. The slack of a few float32 ulps covers the scale and product being floats.
     */
    public static void assertWithinHalfAScale(FloatTable original, FloatTable restored, String context) {
        assertEquals(original.rows(), restored.rows(), context);
        assertEquals(original.cols(), restored.cols(), context);
        for (int r = 0; r < original.rows(); r++) {
            double maxAbs = 0;
            for (int c = 0; c < original.cols(); c++) {
                maxAbs = Math.max(maxAbs, Math.abs((double) original.get(r, c)));
            }
            double halfScale = maxAbs / 127 / 2;
            for (int c = 0; c < original.cols(); c++) {
                double x = original.get(r, c);
                double error = Math.abs(restored.get(r, c) - x);
                double bound = halfScale * (1 + 1e-6) + 2 * Math.ulp((float) maxAbs);
                assertTrue(
                        error <= bound,
                        context + ": row " + r + " col " + c + ": " + restored.get(r, c) + " for " + x + " is " + error
                                + " off, more than half the scale " + halfScale);
            }
        }
    }
}
