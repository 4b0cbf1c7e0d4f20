package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorBitsPropertyTest {

    @Test
    void unsetOrBlankMeansTheJvmsPreferredWidth() {
        assertEquals(VectorBitsProperty.PREFERRED, VectorBitsProperty.parse(null));
        assertEquals(VectorBitsProperty.PREFERRED, VectorBitsProperty.parse(" "));
    }

    @Test
    void theThreeWidthsOfRealCpusAreAccepted() {
        assertEquals(128, VectorBitsProperty.parse("128"));
        assertEquals(256, VectorBitsProperty.parse(" 256"));
        assertEquals(512, VectorBitsProperty.parse("512"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"64", "100", "1024", "256bits", "abc", "-128"})
    void anyOtherValueIsRefusedByName(String value) {
        SparseInferException e = assertThrows(SparseInferException.class, () -> VectorBitsProperty.parse(value));
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertTrue(
                e.getMessage().contains(VectorBitsProperty.NAME)
                        && e.getMessage().contains(value),
                e.getMessage());
    }
}
