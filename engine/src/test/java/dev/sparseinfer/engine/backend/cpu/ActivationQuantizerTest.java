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
    void floatRowsHoldTheSameIntegersAsByteRows() {
        long seed = Seeds.fresh();
        float[] x = Seeds.gaussian(new Random(seed), 2 * 301, 3);
        x[400] = 0f;
        byte[] bytes = new byte[301];
        float[] floats = new float[310];
        float byteScale = ActivationQuantizer.quantizeRow(x, 301, 301, bytes, 0);
        float floatScale = ActivationQuantizer.quantizeRow(x, 301, 301, floats, 9);
        assertEquals(byteScale, floatScale, "seed=" + seed);
        for (int i = 0; i < bytes.length; i++) {
            assertEquals(bytes[i], floats[9 + i], "element " + i + " seed=" + seed);
        }
    }
}
