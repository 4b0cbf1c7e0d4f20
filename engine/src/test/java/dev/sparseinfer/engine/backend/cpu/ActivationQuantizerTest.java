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
}
