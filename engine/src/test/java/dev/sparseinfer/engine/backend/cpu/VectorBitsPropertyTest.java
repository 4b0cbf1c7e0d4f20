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
        assertTrue(e.getMessage().contains(VectorBitsProperty.NAME) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void theBackendRefusesABadValueWhenCreated() {
        String before = System.getProperty(VectorBitsProperty.NAME);
        System.setProperty(VectorBitsProperty.NAME, "300");
        try {
            SparseInferException e = assertThrows(SparseInferException.class, () -> new CpuBackend(1));
            assertTrue(e.getMessage().contains("got '300'"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(VectorBitsProperty.NAME);
            } else {
                System.setProperty(VectorBitsProperty.NAME, before);
            }
        }
    }

    @Test
    void theKernelsRunAtTheWidthAskedFor() {
        int asked = VectorBitsProperty.requested();
        if (asked != VectorBitsProperty.PREFERRED) {
            assertEquals(asked, CpuVectorShape.FLOATS.vectorBitSize());
        }
        assertEquals(CpuVectorShape.FLOATS.vectorBitSize(), CpuVectorShape.INTS.vectorBitSize());
        assertTrue(CpuKernels.best().name().endsWith(CpuVectorShape.FLOATS.vectorBitSize() + "-bit"),
                CpuKernels.best().name());
    }
}
