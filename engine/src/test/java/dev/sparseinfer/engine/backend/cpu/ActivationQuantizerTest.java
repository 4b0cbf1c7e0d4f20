package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationQuantizerTest {

    @Test
    void mapsTheLargestMagnitudeTo127AndRoundsToNearest() {
        float[] x = {0f, 2.54f, -1.3f, 0.01f, 0.015f};
        byte[] q = new byte[5];
        float scale = ActivationQuantizer.quantizeRow(x, 0, 5, q, 0);
        assertEquals(0.02f, scale, 1e-7f);
        assertArrayEquals(new byte[] {0, 127, -65, 1, 1}, q);
    }

    @Test
    void zeroRowGetsZeroScale() {
        byte[] q = {5, 5};
        assertEquals(0f, ActivationQuantizer.quantizeRow(new float[2], 0, 2, q, 0));
        assertArrayEquals(new byte[2], q);
    }

    @Test
    void errorIsAtMostHalfAStep() {
        long seed = Seeds.fresh();
        float[] x = Seeds.gaussian(new Random(seed), 301, 3);
        byte[] q = new byte[301];
        float scale = ActivationQuantizer.quantizeRow(x, 0, 301, q, 0);
        for (int i = 0; i < x.length; i++) {
            assertTrue(Math.abs(q[i] * scale - x[i]) <= scale * 0.5001f, "element " + i + " seed=" + seed);
        }
    }

    @Test
    void vectorisedFloatRowsHoldTheSameIntegersAsTheScalarByteRows() {
        long seed = Seeds.fresh();
        float[] x = Seeds.gaussian(new Random(seed), 2 * 301, 3);
        x[400] = 0f;
        byte[] bytes = new byte[301];
        float[] floats = new float[310];
        float byteScale = ActivationQuantizer.quantizeRow(x, 301, 301, bytes, 0);
        float floatScale = VectorQuantizer.quantizeRow(x, 301, 301, floats, 9);
        assertEquals(byteScale, floatScale, "seed=" + seed);
        for (int i = 0; i < bytes.length; i++) {
            assertEquals(bytes[i], floats[9 + i], "element " + i + " seed=" + seed);
        }
    }

    @Test
    void vectorisedRoundingBreaksTiesUpAsMathRoundDoes() {
        // A largest magnitude of 127 makes the step exactly 1, so these values reach the rounding unscaled: ties,
        // the float just below a half (where adding 0.5 in float would round up), and negatives of each.
        float belowHalf = Math.nextDown(0.5f);
        float[] x = {
            127f,
            0.5f,
            -0.5f,
            1.5f,
            -1.5f,
            2.5f,
            -2.5f,
            belowHalf,
            -belowHalf,
            126.5f,
            -126.5f,
            Math.nextUp(-0.5f),
            Math.nextDown(-0.5f),
            3.4999998f,
            -3.5000002f,
            0f,
            -0f,
            64.5f,
            -64.5f,
            1e-30f
        };
        byte[] bytes = new byte[x.length];
        float[] floats = new float[x.length];
        float byteScale = ActivationQuantizer.quantizeRow(x, 0, x.length, bytes, 0);
        float floatScale = VectorQuantizer.quantizeRow(x, 0, x.length, floats, 0);
        assertEquals(1f, byteScale);
        assertEquals(byteScale, floatScale);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.round(x[i]), bytes[i], "scalar, x = " + x[i]);
            assertEquals(bytes[i], floats[i], "vectorised, x = " + x[i]);
        }
    }
}
