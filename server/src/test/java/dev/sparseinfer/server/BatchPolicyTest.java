package dev.sparseinfer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BatchPolicyTest {

    @Test
    void autoBoundsPassesByTheBackendAndAGivenBoundWins() {
        BatchPolicy auto = BatchPolicy.defaults();
        assertEquals(BatchPolicy.CPU_BATCH_TOKENS, auto.batchTokensFor("cpu"));
        assertEquals(BatchPolicy.DEVICE_BATCH_TOKENS, auto.batchTokensFor("cuda"));
        BatchPolicy given = new BatchPolicy(1000, 0, true, 10);
        assertEquals(1000, given.batchTokensFor("cpu"));
        assertEquals(1000, given.batchTokensFor("cuda"));
    }

    @Test
    void refusesNegativeBoundsAndAnEmptyQueue() {
        assertThrows(IllegalArgumentException.class, () -> new BatchPolicy(-1, 0, true, 10));
        assertThrows(IllegalArgumentException.class, () -> new BatchPolicy(0, -1, true, 10));
        assertThrows(IllegalArgumentException.class, () -> new BatchPolicy(0, 0, true, 0));
    }
}
