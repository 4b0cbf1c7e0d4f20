package dev.sparseinfer.engine.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Kernels on the JDK Vector API, at the widest vector shape the CPU has. */
public final class VectorCpuKernels implements CpuKernels {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    /*
     * Lane i to lane i ^ step, the stages of sumLanes, each a constant of its own: C2 intrinsifies a rearrange only by
     * a shuffle it knows the exact class of, which an element read from an array is not, and the vectors around
     * such a rearrange then run as Java objects. Null where the vector has fewer lanes than the step.
     */
    private static final VectorShuffle<Float> XOR_8 = xor(8);
    private static final VectorShuffle<Float> XOR_4 = xor(4);
    private static final VectorShuffle<Float> XOR_2 = xor(2);
    private static final VectorShuffle<Float> XOR_1 = xor(1);

    @Override
    public String name() {
        return "Vector API, " + SPECIES.vectorBitSize() + "-bit";
    }

    @Override
    public void addLayerNorm(
            float[] x,
            float[] residual,
            float[] gamma,
            float[] beta,
            float eps,
            int cols,
            int rowFrom,
            int rowTo,
            float[] out) {
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
                FloatVector.fromArray(SPECIES, out, base + c)
                        .sub(meanV)
                        .mul(invV)
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
        for (int step = LANES / 2; step > 8; step /= 2) {
            v = v.add(v.rearrange(xor(step))); // shapes wider than 512 bits only
        }
        if (LANES > 8) {
            v = v.add(v.rearrange(XOR_8));
        }
        if (LANES > 4) {
            v = v.add(v.rearrange(XOR_4));
        }
        if (LANES > 2) {
            v = v.add(v.rearrange(XOR_2));
        }
        return v.add(v.rearrange(XOR_1)).lane(0);
    }

    private static VectorShuffle<Float> xor(int step) {
        return step < LANES ? VectorShuffle.fromOp(SPECIES, i -> i ^ step) : null;
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
            acc = FloatVector.fromArray(SPECIES, a, aOffset + i)
                    .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc);
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
            FloatVector e = VectorExp.ofNonPositive(
                    FloatVector.fromArray(SPECIES, v, offset + i).sub(m));
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

    /**
     * Scores as whole-vector FMAs over the keys rather than one dot product (and one horizontal sum) per key: the
     * head's keys are transposed once ({@code kt[d][j]}), so a query's scores against {@link #LANES} keys are
     * {@code headDim} FMAs of a broadcast query element with a row of {@code kt}. The weighted sum of values runs
     * over whole vectors of the head's columns with the accumulators in registers. Both split their sums over
     * several accumulators (FMA latency), always added in the same order.
     *
     * <p>Phase by phase over the head's queries (all scores, then every softmax, then every weighted sum) rather
     * than query by query: one query's chain of scores, softmax and weighted sum is a chain of dependent latencies
     * (horizontal max and sum, exp) that left the FMA units idle, while the queries of one phase are independent.
     * Scores go four queries at a time, each key row loaded once for the four.
     */
    @Override
    public void attentionHead(
            float[] q,
            float[] k,
            float[] v,
            int width,
            int col,
            int headDim,
            int start,
            int length,
            float scale,
            float[] biasByDistance,
            float[] out) {
        int padded = (length + LANES - 1) / LANES * LANES;
        float[] kt = Scratch.floats(Scratch.Use.KEYS, headDim * padded);
        float[] scores = Scratch.floats(Scratch.Use.ROW, length * padded);
        transposeKeys(k, width, col, headDim, start, length, padded, kt);
        int i = 0;
        for (; i + 3 < length; i += 4) {
            int qi = (start + i) * width + col;
            int j = 0;
            for (; j + 2 * LANES <= padded; j += 2 * LANES) {
                scores4x2(q, qi, width, kt, j, padded, headDim, scale, scores, i * padded + j);
            }
            for (; j < padded; j += LANES) {
                for (int r = 0; r < 4; r++) {
                    scores(q, qi + r * width, kt, j, padded, headDim, scale, scores, (i + r) * padded + j);
                }
            }
        }
        for (; i < length; i++) {
            int qi = (start + i) * width + col;
            for (int j = 0; j < padded; j += LANES) {
                scores(q, qi, kt, j, padded, headDim, scale, scores, i * padded + j);
            }
        }
        for (i = 0; i < length; i++) {
            if (biasByDistance != null) {
                ScalarCpuKernels.addBias(biasByDistance, i, length, scores, i * padded);
            }
            softmax(scores, i * padded, length);
        }
        for (i = 0; i < length; i++) {
            weightedValues(scores, i * padded, v, width, col, headDim, start, length, out, (start + i) * width + col);
        }
    }

    /**
     * {@code kt[d * padded + j] = k[(start + j) * width + col + d]}, zero for {@code length <= j < padded}: blocks of
     * 8 keys by 8 columns transposed in registers where the vectors hold 8 floats, one element at a time elsewhere.
     */
    private static void transposeKeys(
            float[] k, int width, int col, int headDim, int start, int length, int padded, float[] kt) {
        int j = 0;
        if (Transpose8x8.AVAILABLE) {
            for (; j + Transpose8x8.SIZE <= length; j += Transpose8x8.SIZE) {
                Transpose8x8.rows(k, (start + j) * width + col, width, headDim, kt, j, padded);
            }
        }
        for (int d = 0; d < headDim; d++) {
            int row = d * padded;
            for (int jj = j; jj < length; jj++) {
                kt[row + jj] = k[(start + jj) * width + col + d];
            }
            Arrays.fill(kt, row + length, row + padded, 0f);
        }
    }

    /**
     * Scaled scores of the four queries from {@code qi} (rows {@code width} apart) against keys
     * {@code j .. j+2*LANES}, into four rows of {@code s} from {@code at}: eight accumulators, each key vector
     * loaded once for four queries.
     */
    private static void scores4x2(
            float[] q, int qi, int width, float[] kt, int j, int padded, int headDim, float scale, float[] s, int at) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = FloatVector.zero(SPECIES);
        FloatVector a10 = FloatVector.zero(SPECIES), a11 = FloatVector.zero(SPECIES);
        FloatVector a20 = FloatVector.zero(SPECIES), a21 = FloatVector.zero(SPECIES);
        FloatVector a30 = FloatVector.zero(SPECIES), a31 = FloatVector.zero(SPECIES);
        for (int d = 0; d < headDim; d++) {
            int kd = d * padded + j;
            FloatVector k0 = FloatVector.fromArray(SPECIES, kt, kd);
            FloatVector k1 = FloatVector.fromArray(SPECIES, kt, kd + LANES);
            FloatVector b = FloatVector.broadcast(SPECIES, q[qi + d]);
            a00 = k0.fma(b, a00);
            a01 = k1.fma(b, a01);
            b = FloatVector.broadcast(SPECIES, q[qi + width + d]);
            a10 = k0.fma(b, a10);
            a11 = k1.fma(b, a11);
            b = FloatVector.broadcast(SPECIES, q[qi + 2 * width + d]);
            a20 = k0.fma(b, a20);
            a21 = k1.fma(b, a21);
            b = FloatVector.broadcast(SPECIES, q[qi + 3 * width + d]);
            a30 = k0.fma(b, a30);
            a31 = k1.fma(b, a31);
        }
        a00.mul(scale).intoArray(s, at);
        a01.mul(scale).intoArray(s, at + LANES);
        a10.mul(scale).intoArray(s, at + padded);
        a11.mul(scale).intoArray(s, at + padded + LANES);
        a20.mul(scale).intoArray(s, at + 2 * padded);
        a21.mul(scale).intoArray(s, at + 2 * padded + LANES);
        a30.mul(scale).intoArray(s, at + 3 * padded);
        a31.mul(scale).intoArray(s, at + 3 * padded + LANES);
    }

    /**
     * {@code s[to ..] = scale * sum_d q[qi + d] * kt[d][j .. j+LANES)}, the inputs split four ways by d. Stores its
     * result rather than returning it: C2 does not always inline this, and a vector returned from a call that is not
     * inlined is allocated on the heap.
     */
    private static void scores(
            float[] q, int qi, float[] kt, int j, int padded, int headDim, float scale, float[] s, int to) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES), a3 = FloatVector.zero(SPECIES);
        int d = 0;
        for (; d + 3 < headDim; d += 4) {
            int at = d * padded + j;
            a0 = FloatVector.fromArray(SPECIES, kt, at).fma(FloatVector.broadcast(SPECIES, q[qi + d]), a0);
            a1 = FloatVector.fromArray(SPECIES, kt, at + padded).fma(FloatVector.broadcast(SPECIES, q[qi + d + 1]), a1);
            a2 = FloatVector.fromArray(SPECIES, kt, at + 2 * padded)
                    .fma(FloatVector.broadcast(SPECIES, q[qi + d + 2]), a2);
            a3 = FloatVector.fromArray(SPECIES, kt, at + 3 * padded)
                    .fma(FloatVector.broadcast(SPECIES, q[qi + d + 3]), a3);
        }
        for (; d < headDim; d++) {
            a0 = FloatVector.fromArray(SPECIES, kt, d * padded + j).fma(FloatVector.broadcast(SPECIES, q[qi + d]), a0);
        }
        a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(s, to);
    }

    /**
     * {@code out[qi + d] = sum_j p[p0 + j] * v[start + j][col + d]}: four vectors of d at a time while there are that
     * many, then one, each with the keys split two ways. Four vectors at once keep eight FMA chains going; a vector
     * at a time had two, and the loop waited on its own FMAs.
     */
    private static void weightedValues(
            float[] p, int p0, float[] v, int width, int col, int headDim, int start, int length, float[] out, int qi) {
        int d = 0;
        for (; d + 4 * LANES <= headDim; d += 4 * LANES) {
            weightedValues4(p, p0, v, width, col + d, start, length, out, qi + d);
        }
        for (; d + LANES <= headDim; d += LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
            int j = 0;
            for (; j + 1 < length; j += 2) {
                int at = (start + j) * width + col + d;
                a0 = FloatVector.fromArray(SPECIES, v, at).fma(FloatVector.broadcast(SPECIES, p[p0 + j]), a0);
                a1 = FloatVector.fromArray(SPECIES, v, at + width)
                        .fma(FloatVector.broadcast(SPECIES, p[p0 + j + 1]), a1);
            }
            if (j < length) {
                int at = (start + j) * width + col + d;
                a0 = FloatVector.fromArray(SPECIES, v, at).fma(FloatVector.broadcast(SPECIES, p[p0 + j]), a0);
            }
            a0.add(a1).intoArray(out, qi + d);
        }
        for (; d < headDim; d++) {
            float acc = 0;
            for (int j = 0; j < length; j++) {
                acc = Math.fma(p[p0 + j], v[(start + j) * width + col + d], acc);
            }
            out[qi + d] = acc;
        }
    }

    /** Four vectors of d from {@code col}: even keys into a0..a3, odd keys into b0..b3. */
    private static void weightedValues4(
            float[] p, int p0, float[] v, int width, int col, int start, int length, float[] out, int at) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES), a3 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        FloatVector b2 = FloatVector.zero(SPECIES), b3 = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j + 1 < length; j += 2) {
            int row = (start + j) * width + col;
            FloatVector w = FloatVector.broadcast(SPECIES, p[p0 + j]);
            a0 = FloatVector.fromArray(SPECIES, v, row).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, v, row + LANES).fma(w, a1);
            a2 = FloatVector.fromArray(SPECIES, v, row + 2 * LANES).fma(w, a2);
            a3 = FloatVector.fromArray(SPECIES, v, row + 3 * LANES).fma(w, a3);
            row += width;
            w = FloatVector.broadcast(SPECIES, p[p0 + j + 1]);
            b0 = FloatVector.fromArray(SPECIES, v, row).fma(w, b0);
            b1 = FloatVector.fromArray(SPECIES, v, row + LANES).fma(w, b1);
            b2 = FloatVector.fromArray(SPECIES, v, row + 2 * LANES).fma(w, b2);
            b3 = FloatVector.fromArray(SPECIES, v, row + 3 * LANES).fma(w, b3);
        }
        if (j < length) {
            int row = (start + j) * width + col;
            FloatVector w = FloatVector.broadcast(SPECIES, p[p0 + j]);
            a0 = FloatVector.fromArray(SPECIES, v, row).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, v, row + LANES).fma(w, a1);
            a2 = FloatVector.fromArray(SPECIES, v, row + 2 * LANES).fma(w, a2);
            a3 = FloatVector.fromArray(SPECIES, v, row + 3 * LANES).fma(w, a3);
        }
        a0.add(b0).intoArray(out, at);
        a1.add(b1).intoArray(out, at + LANES);
        a2.add(b2).intoArray(out, at + 2 * LANES);
        a3.add(b3).intoArray(out, at + 3 * LANES);
    }
}
