package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;

/** The activation applied to a finished output element (bias already added). */
final class CpuEpilogue {

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private CpuEpilogue() {}

    static float apply(float v, ActivationFunction activation) {
        return switch (activation) {
            case NONE -> v;
            case GELU -> 0.5f * v * (1f + Erf.erfFast(v * INV_SQRT2));
        };
    }
}
