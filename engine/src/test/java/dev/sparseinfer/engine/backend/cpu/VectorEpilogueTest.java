package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vectorised exp and GELU against float64 references, over fresh random inputs and the clamp edges. */
class VectorEpilogueTest {

    private static final int LANES = CpuVectorShape.FLOATS.length();

    @Test
    void expOfNonPositiveInputsIsAccurateToFloatPrecision() {
        Random random = new Random(Seeds.fresh());
        float[] x = new float[LANES * 512];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < LANES * 8 ? -i * 0.5f : (float) (-random.nextDouble() * 90);
        }
        float[] e = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            VectorExp.ofNonPositive(FloatVector.fromArray(CpuVectorShape.FLOATS, x, i))
                    .intoArray(e, i);
        }
        for (int i = 0; i < x.length; i++) {
            double expected = Math.exp(x[i]);
            if (x[i] >= -87) {
                assertEquals(expected, e[i], 3e-7 * expected, "exp(" + x[i] + ")");
            } else {
                assertEquals(0, e[i], 2e-38, "exp(" + x[i] + ") underflows to (almost) zero");
            }
        }
    }

    @Test
    void geluMatchesTheFloat64Definition() {
        Random random = new Random(Seeds.fresh());
        float[] x = new float[LANES * 1000 + 3];
        for (int i = 0; i < x.length; i++) {
            // A third near zero, a third around the clamp at |x / sqrt 2| = 4, the rest wide.
            x[i] = (float)
                    switch (i % 3) {
                        case 0 -> (random.nextDouble() - 0.5) * 2;
                        case 1 ->
                            Math.signum(random.nextDouble() - 0.5) * (4 * Math.sqrt(2) + (random.nextDouble() - 0.5));
                        default -> random.nextGaussian() * 6;
                    };
        }
        float[] y = x.clone();
        VectorEpilogue.apply(y, 0, y.length, ActivationFunction.GELU);
        for (int i = 0; i < x.length; i++) {
            double expected = 0.5 * x[i] * (1 + Erf.erf(x[i] / Math.sqrt(2)));
            assertEquals(expected, y[i], 1e-6 * Math.max(1, Math.abs(x[i])), "gelu(" + x[i] + ")");
        }
    }

    @Test
    void vectorErfIsBitIdenticalToTheScalarOne() {
        Random random = new Random(Seeds.fresh());
        float[] x = new float[LANES * 1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 3);
        }
        float[] e = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            VectorEpilogue.erf(FloatVector.fromArray(CpuVectorShape.FLOATS, x, i))
                    .intoArray(e, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Erf.erfFast(x[i]), e[i], 0f, "erf(" + x[i] + ")");
        }
    }

    @Test
    void noActivationLeavesValuesUntouched() {
        float[] y = Seeds.gaussian(new Random(Seeds.fresh()), 37, 1);
        float[] before = y.clone();
        VectorEpilogue.apply(y, 0, y.length, ActivationFunction.NONE);
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, y);
    }
}
