package dev.sparseinfer.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.SparseInferException;
import org.junit.jupiter.api.Test;

class RelativePositionBiasTest {

    /** Against the exact integer form of transformers' buckets (see the MPNet loader test), far past both ends. */
    @Test
    void bucketsAreTransformersMpnetBuckets() {
        for (int relative = -2000; relative <= 2000; relative++) {
            int offset = relative > 0 ? 16 : 0;
            int n = Math.abs(relative);
            int expected;
            if (n < 8) {
                expected = offset + n;
            } else {
                int k = 0;
                while (k < 7 && (long) n * n >= 64L << (k + 1)) {
                    k++;
                }
                expected = offset + 8 + k;
            }
            assertEquals(expected, RelativePositionBias.bucket(relative), "relative position " + relative);
        }
    }

    @Test
    void bucketEdgesAreWhereTransformersPutsThem() {
        int[] distances = {0, 1, 7, 8, 11, 12, 15, 16, 22, 23, 31, 32, 45, 46, 63, 64, 90, 91, 127, 128, 5000};
        int[] buckets = {0, 1, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 15, 15};
        for (int i = 0; i < distances.length; i++) {
            assertEquals(buckets[i], RelativePositionBias.bucket(-distances[i]), "query " + distances[i] + " after");
            if (distances[i] > 0) {
                assertEquals(
                        16 + buckets[i], RelativePositionBias.bucket(distances[i]), "key " + distances[i] + " after");
            }
        }
    }

    @Test
    void byDistanceReadsEachHeadsColumnOfItsBucketsRow() {
        float[] table = new float[32 * 2];
        for (int i = 0; i < table.length; i++) {
            table[i] = i;
        }
        RelativePositionBias bias = new RelativePositionBias(table, 32, 2);
        // Length 3: distances -2, -1, 0, 1, 2 are buckets 2, 1, 0, 17, 18; head 1 is the odd column.
        assertArrayEquals(new float[] {5, 3, 1, 35, 37}, bias.byDistance(1, 3));
    }

    @Test
    void aTableWithFewerThan32RowsIsRefused() {
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> new RelativePositionBias(new float[16 * 2], 16, 2));
        assertEquals(
                "a relative position bias of 32 values cannot be [16, 2]; it needs at least 32 rows, one per bucket",
                e.getMessage());
    }
}
