package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuEpilogue} on whole vectors, so a layer's activation costs a few vector ops per lane group rather than
 * a scalar {@code exp} per element (GELU over an FFN's 1536 outputs per token would otherwise rival the GEMM).
 * Same formulas, same branches, as the scalar version.
 */
final class VectorEpilogue {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private VectorEpilogue() {
    }

    /**
     * Applies {@code activation} in place to {@code y[from .. from+length-1]}. Kernels call it on finished output
     * blocks rather than fusing it into their micro-kernels: the erf polynomial is large enough that, inlined into
     * a register-blocked loop, the JIT gives up on keeping the vectors in registers.
     */
    static void apply(float[] y, int from, int length, Activation activation) {
        if (activation == Activation.NONE) {
            return;
        }
        int i = from;
        int end = from + length;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, y, i);
            v.mul(0.5f).mul(erf(v.mul(INV_SQRT2)).add(1f)).intoArray(y, i);
        }
        for (; i < end; i++) {
            y[i] = CpuEpilogue.apply(y[i], activation);
        }
    }

    /** {@link Erf#erfFast} lane-wise. */
    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector t = a.fma(Erf.P, 1f);
        t = FloatVector.broadcast(SPECIES, 1f).div(t);
        FloatVector poly = t.fma(Erf.A5, Erf.A4).fma(t, FloatVector.broadcast(SPECIES, Erf.A3))
                .fma(t, FloatVector.broadcast(SPECIES, Erf.A2)).fma(t, FloatVector.broadcast(SPECIES, Erf.A1)).mul(t);
        FloatVector e = VectorExp.ofNonPositive(a.mul(a).neg());
        FloatVector far = poly.mul(e).neg().add(1f);
        FloatVector x2 = x.mul(x);
        FloatVector near = x2.fma(Erf.S5, Erf.S4).fma(x2, FloatVector.broadcast(SPECIES, Erf.S3))
                .fma(x2, FloatVector.broadcast(SPECIES, Erf.S2)).fma(x2, FloatVector.broadcast(SPECIES, Erf.S1))
                .fma(x2, FloatVector.broadcast(SPECIES, Erf.S0)).mul(x);
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        FloatVector farSigned = far.blend(far.neg(), negative);
        return farSigned.blend(near, a.compare(VectorOperators.LT, 0.5f));
    }
}
