package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.backend.TokenBatch;
import org.junit.jupiter.api.Test;

class DeviceBatchTest {

    @Test
    void oneUploadHoldsEveryIndexArrayAtTheOffsetsTheKernelsAreGiven() {
        TokenBatch batch = TokenBatch.pack(new int[][] {{101, 7, 102}, {101, 102}}, new int[][] {{0, 0, 1}, {0, 1}});
        int[] layout = DeviceBatch.layout(batch);
        assertArrayEquals(
                new int[] {
                    101, 7, 102, 101, 102, // ids
                    0, 0, 1, 0, 1, // types
                    0, 1, 2, 0, 1, // positions
                    0, 0, 0, 3, 3, // each token's sequence start
                    3, 3, 3, 2, 2, // each token's sequence length
                    0, 3, // sequence starts
                    3, 2
                },
                layout); // sequence lengths
        DeviceBatch device = new DeviceBatch(1000, 5, 2, DeviceBatch.longest(batch));
        assertEquals(3, device.longestSequence());
        assertEquals(1000, device.tokenIds());
        assertEquals(1000 + 4 * 5, device.typeIds());
        assertEquals(1000 + 4 * 10, device.positions());
        assertEquals(1000 + 4 * 15, device.tokenSequenceStarts());
        assertEquals(1000 + 4 * 20, device.tokenSequenceLengths());
        assertEquals(1000 + 4 * 25, device.sequenceStarts());
        assertEquals(1000 + 4 * 27, device.sequenceLengths());
    }
}
