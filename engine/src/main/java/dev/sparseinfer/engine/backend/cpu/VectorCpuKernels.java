package dev.sparseinfer.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Kernels on the JDK Vector API, at the widest vector shape the CPU has. */
public final class VectorCpuKernels implements CpuKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Lane {@code i} to lane {@code i ^ step}, for step = LANES / 2, ..., 1: the stages of {@link #sumLanes}. */
    private static final VectorShuffle<Float>[] HALVINGS = halvings();

    @Override
    public String name() {
        return "Vector API, " + SPECIES.vectorBitSize() + "-bit";
    }

    @Override
    public void addLayerNorm(float[] x, float[] residual, float[] gamma, float[] beta, float eps, int cols,
                             int rowFrom, int rowTo, float[] out) {
        int vecEnd = SPECIES.loopBound(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * cols;
            if (residual != null) {
                int c = 0;
                for (; c < vecEnd; c += LANES) {
                    FloatVector.fromArray(SPECIES, x, base + c)
                            .add(FloatVector.fromArray(SPECIES, residual, base + c))
                            .intoArray(out, base + c);
                }
                for (; c < cols; c++) {
                    out[base + c] = x[base + c] + residual[base + c];
                }
            } else if (out != x) {
                System.arraycopy(x, base, out, base, cols);
            }
            // Two passes (mean, then squared deviations) rather than E[x^2] - E[x]^2, which cancels badly.
            float mean = sum(out, base, cols, vecEnd) / cols;
            FloatVector meanV = FloatVector.broadcast(SPECIES, mean);
            FloatVector sq = FloatVector.zero(SPECIES);
            int c = 0;
            for (; c < vecEnd; c += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, out, base + c).sub(meanV);
                sq = d.fma(d, sq);
            }
            float variance = sumLanes(sq);
            for (; c < cols; c++) {
                float d = out[base + c] - mean;
                variance += d * d;
            }
            variance /= cols;
            float inv = (float) (1.0 / Math.sqrt(variance + eps));
            FloatVector invV = FloatVector.broadcast(SPECIES, inv);
            c = 0;
            for (; c < vecEnd; c += LANES) {
                FloatVector.fromArray(SPECIES, out, base + c).sub(meanV).mul(invV)
                        .fma(FloatVector.fromArray(SPECIES, gamma, c), FloatVector.fromArray(SPECIES, beta, c))
                        .intoArray(out, base + c);
            }
            for (; c < cols; c++) {
                out[base + c] = (out[base + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
    }

    /**
     * The sum of a vector's lanes, always added in the same order. {@code reduceLanes(ADD)} leaves the order open, and
     * its compiled form and its Java fallback (what runs before C2 compiles a kernel) do differ, so the same text could
     * get embeddings a few ulps apart from one run to the next; lane-wise adds of halves are the same in both.
     */
    private static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> halving : HALVINGS) {
            v = v.add(v.rearrange(halving));
        }
        return v.lane(0);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halvings() {
        int stages = Integer.numberOfTrailingZeros(LANES);
        VectorShuffle<Float>[] shuffles = new VectorShuffle[stages];
        for (int k = 0; k < stages; k++) {
            int step = LANES >> (k + 1);
            shuffles[k] = VectorShuffle.fromOp(SPECIES, i -> i ^ step);
        }
        return shuffles;
    }

    private static float sum(float[] v, int offset, int length, int vecEnd) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < vecEnd; i += LANES) {
            acc = acc.add(FloatVector.fromArray(SPECIES, v, offset + i));
        }
        float s = sumLanes(acc);
        for (; i < length; i++) {
            s += v[offset + i];
        }
        return s;
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int vecEnd = SPECIES.loopBound(length);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < vecEnd; i += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, aOffset + i).fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc);
        }
        float s = sumLanes(acc);
        for (; i < length; i++) {
            s += a[aOffset + i] * b[bOffset + i];
        }
        return s;
    }

    @Override
    public void softmax(float[] v, int offset, int length) {
        int vecEnd = SPECIES.loopBound(length);
        FloatVector maxV = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < vecEnd; i += LANES) {
            maxV = maxV.max(FloatVector.fromArray(SPECIES, v, offset + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (; i < length; i++) {
            max = Math.max(max, v[offset + i]);
        }
        FloatVector m = FloatVector.broadcast(SPECIES, max);
        FloatVector sumV = FloatVector.zero(SPECIES);
        i = 0;
        for (; i < vecEnd; i += LANES) {
            FloatVector e = VectorExp.ofNonPositive(FloatVector.fromArray(SPECIES, v, offset + i).sub(m));
            e.intoArray(v, offset + i);
            sumV = sumV.add(e);
        }
        float sum = sumLanes(sumV);
        for (; i < length; i++) {
            float e = (float) Math.exp(v[offset + i] - max);
            v[offset + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        i = 0;
        for (; i < vecEnd; i += LANES) {
            FloatVector.fromArray(SPECIES, v, offset + i).mul(inv).intoArray(v, offset + i);
        }
        for (; i < length; i++) {
            v[offset + i] *= inv;
        }
    }

    @Override
    public void axpy(float scale, float[] x, int xOffset, float[] acc, int accOffset, int length) {
        int vecEnd = SPECIES.loopBound(length);
        FloatVector s = FloatVector.broadcast(SPECIES, scale);
        int i = 0;
        for (; i < vecEnd; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOffset + i)
                    .fma(s, FloatVector.fromArray(SPECIES, acc, accOffset + i))
                    .intoArray(acc, accOffset + i);
        }
        for (; i < length; i++) {
            acc[accOffset + i] += scale * x[xOffset + i];
        }
    }
}
