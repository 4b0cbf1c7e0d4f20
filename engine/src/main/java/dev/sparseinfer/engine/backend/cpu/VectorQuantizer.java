package dev.sparseinfer.engine.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ActivationQuantizer}'s per-token quantisation for the w8a8 kernels, on whole vectors and with the int8
 * values written as floats: the kernels multiply them in fp32, where every product of two int8 values is exact.
 * Same scale and same integers as the scalar version, which stays the reference. Vectorised because, scalar, the
 * running maximum (Java's {@code Math.max}, several instructions, each waiting on the last) and the rounding cost
 * more than the rest of a w8a8 layer's input handling.
 */
final class VectorQuantizer {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();

    private VectorQuantizer() {}

    /**
     * Quantises {@code x[offset .. offset+length-1]} into {@code q[qOffset ..]} and returns the scale (0 for a zero
     * row).
     */
    static float quantizeRow(float[] x, int offset, int length, float[] q, int qOffset) {
        float max = maxAbs(x, offset, length);
        if (max == 0f) {
            Arrays.fill(q, qOffset, qOffset + length, 0f);
            return 0f;
        }
        float inv = 127f / max;
        int i = 0;
        for (; i + LANES <= length; i += LANES) {
            round(FloatVector.fromArray(SPECIES, x, offset + i).mul(inv)).intoArray(q, qOffset + i);
        }
        for (; i < length; i++) {
            q[qOffset + i] = ActivationQuantizer.quantize(x[offset + i], inv);
        }
        return max / 127f;
    }

    /**
     * {@code Math.round} (nearest, ties up) clamped to [-127, 127], for lanes of magnitude below 2^22: floor by
     * truncation, one less where truncation went up; then up by one where the (exact) fraction is at least a half.
     */
    private static FloatVector round(FloatVector v) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector truncated = (FloatVector) v.convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0);
        FloatVector floor = truncated.sub(one, v.compare(VectorOperators.LT, truncated));
        FloatVector r = floor.add(one, v.sub(floor).compare(VectorOperators.GE, 0.5f));
        r = r.blend(127f, r.compare(VectorOperators.GT, 127f));
        return r.blend(-127f, r.compare(VectorOperators.LT, -127f));
    }

    static float maxAbs(float[] x, int offset, int length) {
        // Two running maxima, so each waits on its own previous value only every other vector.
        FloatVector a = FloatVector.zero(SPECIES);
        FloatVector b = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 2 * LANES <= length; i += 2 * LANES) {
            a = a.max(FloatVector.fromArray(SPECIES, x, offset + i).abs());
            b = b.max(FloatVector.fromArray(SPECIES, x, offset + i + LANES).abs());
        }
        float max = a.max(b).reduceLanes(VectorOperators.MAX);
        for (; i < length; i++) {
            max = Math.max(max, Math.abs(x[offset + i]));
        }
        return max;
    }
}
