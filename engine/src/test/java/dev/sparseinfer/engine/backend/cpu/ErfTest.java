package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErfTest {

    // Reference values from the series definition evaluated in arbitrary precision (mpmath.erf).
    @ParameterizedTest
    @CsvSource({
        "0.0, 0.0",
        "0.1, 0.1124629160182848922",
        "0.5, 0.5204998778130465377",
        "1.0, 0.8427007929497148694",
        "-1.5, -0.9661051464753107271",
        "2.0, 0.9953222650189527342",
        "2.5, 0.9995930479825550411",
        "3.0, 0.9999779095030014146",
        "4.5, 0.9999999998033839558",
        "-6.0, -1.0"
    })
    void matchesHighPrecisionValues(double x, double expected) {
        assertEquals(expected, Erf.erf(x), 2e-14, "erf(" + x + ")");
    }

    @Test
    void fastVersionStaysWithinItsFloatErrorBound() {
        for (double x = -6; x <= 6; x += 1e-3) {
            assertEquals(Erf.erf(x), Erf.erfFast((float) x), 4e-7, "erfFast(" + x + ")");
        }
    }
}
