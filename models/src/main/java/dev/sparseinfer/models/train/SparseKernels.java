package dev.sparseinfer.models.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The products of a pruned weight matrix that touch only its kept entries, on token-major operands ({@code [features,
 * tokens]}, each feature's values over the tokens contiguous), so every kept entry costs a few vector operations on
 * contiguous tokens. Tokens are taken four vectors at a time ({@link #TILE}: 64 with 512-bit vectors, where a tile
 * of a 1,536-feature operand is 384 KiB), so the operand's rows for one tile stay in the core's L2 cache while a
 * thread runs through its share of the rows. Each output element is written by one thread,
 * summing its entries in list order, so results do not depend on the thread count.
 */
final class SparseKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    /** Tokens per tile: four vectors, the widths the unrolled paths handle. */
    static final int TILE = 4 * LANES;

    /**
     * Tokens per tile of the weight gradient's dot products: longer than {@link #TILE}, since each tile ends in a
     * horizontal sum per entry.
     */
    static final int DOT_TILE = 4 * TILE;

    private SparseKernels() {}

    /**
     * {@code out[r, t] = sum over j in [start[r], start[r + 1]) of coef[index[j]] * in[src[j], t]} for every row
     * {@code r < start.length - 1} and token {@code t < tokens}; {@code in} is {@code [*, tokens]} and {@code out}
     * {@code [rows, tokens]}, both token-major.
     */
    static void rowsTimes(
            int[] start, int[] src, int[] index, float[] coef, float[] in, int tokens, float[] out, Parallel p) {
        int rows = start.length - 1;
        p.range(rows, (from, to) -> {
            for (int t0 = 0; t0 < tokens; t0 += TILE) {
                int width = Math.min(TILE, tokens - t0);
                for (int r = from; r < to; r++) {
                    rowTile(start[r], start[r + 1], src, index, coef, in, tokens, t0, width, out, r * tokens + t0);
                }
            }
        });
    }

    private static void rowTile(
            int j0,
            int j1,
            int[] src,
            int[] index,
            float[] coef,
            float[] in,
            int tokens,
            int t0,
            int width,
            float[] out,
            int at) {
        int t = 0;
        if (width == 4 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = j0; j < j1; j++) {
                FloatVector c = FloatVector.broadcast(SPECIES, coef[index[j]]);
                int base = src[j] * tokens + t0;
                a0 = FloatVector.fromArray(SPECIES, in, base).fma(c, a0);
                a1 = FloatVector.fromArray(SPECIES, in, base + LANES).fma(c, a1);
                a2 = FloatVector.fromArray(SPECIES, in, base + 2 * LANES).fma(c, a2);
                a3 = FloatVector.fromArray(SPECIES, in, base + 3 * LANES).fma(c, a3);
            }
            a0.intoArray(out, at);
            a1.intoArray(out, at + LANES);
            a2.intoArray(out, at + 2 * LANES);
            a3.intoArray(out, at + 3 * LANES);
            return;
        }
        for (; t + LANES <= width; t += LANES) {
            FloatVector a = FloatVector.zero(SPECIES);
            for (int j = j0; j < j1; j++) {
                a = FloatVector.fromArray(SPECIES, in, src[j] * tokens + t0 + t)
                        .fma(FloatVector.broadcast(SPECIES, coef[index[j]]), a);
            }
            a.intoArray(out, at + t);
        }
        for (; t < width; t++) {
            float a = 0;
            for (int j = j0; j < j1; j++) {
                a = Math.fma(in[src[j] * tokens + t0 + t], coef[index[j]], a);
            }
            out[at + t] = a;
        }
    }

    /**
     * {@code grad[index[j]] += sum over t of a[r, t] * b[cols[j], t]} for every entry {@code j} of every row
     * {@code r}: the weight gradient {@code dY^T X} at the kept entries only, from token-major {@code a = dY^T} and
     * {@code b = X^T}. The sum over tokens runs tile by tile, each tile's vector sum reduced and added in order.
     */
    static void rowDots(
            int[] start, int[] cols, int[] index, float[] a, float[] b, int tokens, float[] grad, Parallel p) {
        int rows = start.length - 1;
        p.range(rows, (from, to) -> {
            for (int t0 = 0; t0 < tokens; t0 += DOT_TILE) {
                int width = Math.min(DOT_TILE, tokens - t0);
                for (int r = from; r < to; r++) {
                    int ra = r * tokens + t0;
                    for (int j = start[r]; j < start[r + 1]; j++) {
                        grad[index[j]] += dot(a, ra, b, cols[j] * tokens + t0, width);
                    }
                }
            }
        });
    }

    private static float dot(float[] a, int ia, float[] b, int ib, int width) {
        // Four independent sums, so the multiply-adds do not wait on each other.
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int t = 0;
        for (; t + 4 * LANES <= width; t += 4 * LANES) {
            s0 = FloatVector.fromArray(SPECIES, a, ia + t).fma(FloatVector.fromArray(SPECIES, b, ib + t), s0);
            s1 = FloatVector.fromArray(SPECIES, a, ia + t + LANES)
                    .fma(FloatVector.fromArray(SPECIES, b, ib + t + LANES), s1);
            s2 = FloatVector.fromArray(SPECIES, a, ia + t + 2 * LANES)
                    .fma(FloatVector.fromArray(SPECIES, b, ib + t + 2 * LANES), s2);
            s3 = FloatVector.fromArray(SPECIES, a, ia + t + 3 * LANES)
                    .fma(FloatVector.fromArray(SPECIES, b, ib + t + 3 * LANES), s3);
        }
        for (; t + LANES <= width; t += LANES) {
            s0 = FloatVector.fromArray(SPECIES, a, ia + t).fma(FloatVector.fromArray(SPECIES, b, ib + t), s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; t < width; t++) {
            sum = Math.fma(a[ia + t], b[ib + t], sum);
        }
        return sum;
    }
}
