package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuEpilogue} on whole vectors, so a layer's activation costs a few vector ops per lane group rather than
 * a scalar {@code exp} per element (GELU over an FFN's 1536 outputs per token would otherwise rival the GEMM).
 * Same formulas, same branches, as the scalar version.
 */
final class VectorEpilogue {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private VectorEpilogue() {}

    /**
     * Applies {@code activation} in place to {@code y[from .. from+length-1]}. Kernels call it on finished output
     * blocks rather than fusing it into their micro-kernels: the erf polynomial is large enough that, inlined into
     * a register-blocked loop, the JIT gives up on keeping the vectors in registers.
     */
    static void apply(float[] y, int from, int length, ActivationFunction activation) {
        if (activation == ActivationFunction.NONE) {
            return;
        }
        int i = from;
        int end = from + length;
        for (; i + LANES <= end; i += LANES) {
            gelu(FloatVector.fromArray(SPECIES, y, i)).intoArray(y, i);
        }
        for (; i < end; i++) {
            y[i] = CpuEpilogue.apply(y[i], activation);
        }
    }

    /** {@code activation} lane-wise, for a kernel that applies it as it stores a vector. */
    static FloatVector apply(FloatVector v, ActivationFunction activation) {
        return activation == ActivationFunction.NONE ? v : gelu(v);
    }

    private static FloatVector gelu(FloatVector v) {
        return v.mul(0.5f).mul(erf(v.mul(INV_SQRT2)).add(1f));
    }

    /** {@link Erf#erfFast} lane-wise, same operations in the same order. */
    static FloatVector erf(FloatVector x) {
        // Compare and blend rather than max/min: Java's max/min semantics (NaN, -0.0) cost several instructions
        // each on AVX2, and the clamp only needs to bound finite lanes.
        FloatVector c = x.blend(Erf.CLAMP, x.compare(VectorOperators.GT, Erf.CLAMP));
        c = c.blend(-Erf.CLAMP, c.compare(VectorOperators.LT, -Erf.CLAMP));
        FloatVector z = c.mul(c);
        FloatVector p = z.fma(Erf.P6, Erf.P5)
                .fma(z, FloatVector.broadcast(SPECIES, Erf.P4))
                .fma(z, FloatVector.broadcast(SPECIES, Erf.P3))
                .fma(z, FloatVector.broadcast(SPECIES, Erf.P2))
                .fma(z, FloatVector.broadcast(SPECIES, Erf.P1))
                .fma(z, FloatVector.broadcast(SPECIES, Erf.P0));
        FloatVector q = z.fma(Erf.Q4, Erf.Q3)
                .fma(z, FloatVector.broadcast(SPECIES, Erf.Q2))
                .fma(z, FloatVector.broadcast(SPECIES, Erf.Q1))
                .fma(z, FloatVector.broadcast(SPECIES, 1f));
        return c.mul(p).div(q);
    }
}
