package dev.sparseinfer.engine.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TableQuantisation;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8TableTest {

    @Test
    void dequantisedEntriesAreWithinHalfARowScaleOfTheOriginal() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        for (int[] shape : new int[][] {{1, 1}, {7, 13}, {31, 5}, {3, 97}}) {
            FloatTable original = TableQuantisation.randomTable(random, shape[0], shape[1]);
            FloatTable restored = Int8Table.quantize(original).dequantize();
            TableQuantisation.assertWithinHalfAScale(
                    original, restored, "seed=" + seed + " shape " + shape[0] + "x" + shape[1]);
        }
    }

    @Test
    void anAllZeroRowStaysZero() {
        FloatTable zeros = FloatTable.of(new FloatMatrix(2, 3, new float[6]));
        Int8Table q = Int8Table.quantize(zeros);
        assertEquals(0f, q.scales()[0]);
        assertEquals(0f, q.dequantize().get(1, 2));
    }

    @Test
    void scalesThatDoNotMatchTheRowsAreABadModel() {
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> new Int8Table(3, 2, new byte[6], new float[2]));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("2 scales for 3 rows"), e.getMessage());
        e = assertThrows(SparseInferException.class, () -> new Int8Table(3, 2, new byte[5], new float[3]));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        e = assertThrows(SparseInferException.class, () -> new Int8Table(1, 2, new byte[2], new float[] {Float.NaN}));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        e = assertThrows(
                SparseInferException.class,
                () -> new Int8Table(1, 2, new byte[] {0, Byte.MIN_VALUE}, new float[] {1f}));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
    }
}
