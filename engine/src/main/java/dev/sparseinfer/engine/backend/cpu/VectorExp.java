package dev.sparseinfer.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code exp} for non-positive lanes (softmax after subtracting the maximum), in plain
 * vector arithmetic. The Vector API's {@code EXP} falls back to scalar calls on CPUs without the JDK's SVML stubs,
 * enough to make softmax cost more than the GEMMs around it.
 *
 * <p>Classic range reduction: {@code x = k ln2 + r} with |r| &lt;= ln2/2, {@code exp(r)} by its Taylor polynomial
 * to degree 7 (relative error under 2e-8 there, below float rounding), times {@code 2^k} built in the exponent bits.
 * Lanes below -87 (where the result leaves the normal floats) return {@code exp(-87)} &#8776; 1.6e-38, which is
 * zero for every use here.
 */
final class VectorExp {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    private static final float LOWEST = -87f;

    private VectorExp() {}

    /** Lanes of {@code x} must be {@link CpuVectorShape#FLOATS}, the shape every CPU kernel uses. */
    static FloatVector ofNonPositive(FloatVector x) {
        FloatVector c = x.max(LOWEST).min(0f);
        // Truncation toward zero of (c log2e - 0.5) rounds c log2e to nearest, since it is never positive.
        IntVector k = (IntVector) c.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
        FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
        FloatVector r = kf.mul(-LN2_HI).add(c);
        r = kf.mul(-LN2_LO).add(r);
        FloatVector p = r.fma(1f / 5040f, 1f / 720f)
                .fma(r, FloatVector.broadcast(SPECIES, 1f / 120f))
                .fma(r, FloatVector.broadcast(SPECIES, 1f / 24f))
                .fma(r, FloatVector.broadcast(SPECIES, 1f / 6f))
                .fma(r, FloatVector.broadcast(SPECIES, 0.5f))
                .fma(r, FloatVector.broadcast(SPECIES, 1f))
                .fma(r, FloatVector.broadcast(SPECIES, 1f));
        FloatVector scale = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }
}
