package dev.sparseinfer.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8 x 8 transposes of floats in registers, for the sparse kernels' token-major tiles and attention's transposed
 * keys: three stages that exchange lanes between pairs of rows 1, 2 and then 4 lanes apart, each exchange a permute
 * and a blend per row. A gather per output vector, the alternative, is slow on AMD cores (Zen 3 among them).
 *
 * <p>Only where the preferred vector holds exactly 8 floats (AVX2); {@link #AVAILABLE} says whether it does.
 */
final class Transpose8x8 {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    static final boolean AVAILABLE = SPECIES.length() == 8;
    static final int SIZE = 8;

    private static final VectorShuffle<Float> DOWN_1 = VectorShuffle.fromOp(SPECIES, i -> (i - 1) & 7);
    private static final VectorShuffle<Float> UP_1 = VectorShuffle.fromOp(SPECIES, i -> (i + 1) & 7);
    private static final VectorShuffle<Float> DOWN_2 = VectorShuffle.fromOp(SPECIES, i -> (i - 2) & 7);
    private static final VectorShuffle<Float> UP_2 = VectorShuffle.fromOp(SPECIES, i -> (i + 2) & 7);
    private static final VectorShuffle<Float> DOWN_4 = VectorShuffle.fromOp(SPECIES, i -> (i - 4) & 7);
    private static final VectorShuffle<Float> UP_4 = VectorShuffle.fromOp(SPECIES, i -> (i + 4) & 7);
    /** Lanes whose index has bit 1, 2 or 4 set: where the second row of a pair goes. */
    private static final VectorMask<Float> BIT_1 = VectorMask.fromLong(SPECIES, 0b10101010);

    private static final VectorMask<Float> BIT_2 = VectorMask.fromLong(SPECIES, 0b11001100);
    private static final VectorMask<Float> BIT_4 = VectorMask.fromLong(SPECIES, 0b11110000);

    private Transpose8x8() {}

    /**
     * {@code dst[dstAt + c * dstStride + r] = src[srcAt + r * srcStride + c]} for {@code r < 8, c < cols}: 8 x 8
     * blocks, then one element at a time for the columns past the last whole block.
     */
    static void rows(float[] src, int srcAt, int srcStride, int cols, float[] dst, int dstAt, int dstStride) {
        int blocks = cols / SIZE * SIZE;
        for (int c = 0; c < blocks; c += SIZE) {
            block(src, srcAt + c, srcStride, dst, dstAt + c * dstStride, dstStride);
        }
        for (int c = blocks; c < cols; c++) {
            for (int r = 0; r < SIZE; r++) {
                dst[dstAt + c * dstStride + r] = src[srcAt + r * srcStride + c];
            }
        }
    }

    /** {@code dst[dstAt + c * dstStride + r] = src[srcAt + r * srcStride + c]} for {@code r, c < 8}. */
    static void block(float[] src, int srcAt, int srcStride, float[] dst, int dstAt, int dstStride) {
        FloatVector r0 = FloatVector.fromArray(SPECIES, src, srcAt);
        FloatVector r1 = FloatVector.fromArray(SPECIES, src, srcAt + srcStride);
        FloatVector r2 = FloatVector.fromArray(SPECIES, src, srcAt + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(SPECIES, src, srcAt + 3 * srcStride);
        FloatVector r4 = FloatVector.fromArray(SPECIES, src, srcAt + 4 * srcStride);
        FloatVector r5 = FloatVector.fromArray(SPECIES, src, srcAt + 5 * srcStride);
        FloatVector r6 = FloatVector.fromArray(SPECIES, src, srcAt + 6 * srcStride);
        FloatVector r7 = FloatVector.fromArray(SPECIES, src, srcAt + 7 * srcStride);
        // Pairs of rows exchange odd and even lanes: s0 = [r0[0], r1[0], r0[2], r1[2], ...], s1 = [r0[1], r1[1], ...].
        FloatVector s0 = r0.blend(r1.rearrange(DOWN_1), BIT_1);
        FloatVector s1 = r0.rearrange(UP_1).blend(r1, BIT_1);
        FloatVector s2 = r2.blend(r3.rearrange(DOWN_1), BIT_1);
        FloatVector s3 = r2.rearrange(UP_1).blend(r3, BIT_1);
        FloatVector s4 = r4.blend(r5.rearrange(DOWN_1), BIT_1);
        FloatVector s5 = r4.rearrange(UP_1).blend(r5, BIT_1);
        FloatVector s6 = r6.blend(r7.rearrange(DOWN_1), BIT_1);
        FloatVector s7 = r6.rearrange(UP_1).blend(r7, BIT_1);
        // Then pairs of lanes: u0 = [r0[0], r1[0], r2[0], r3[0], r0[4], r1[4], r2[4], r3[4]].
        FloatVector u0 = s0.blend(s2.rearrange(DOWN_2), BIT_2);
        FloatVector u2 = s0.rearrange(UP_2).blend(s2, BIT_2);
        FloatVector u1 = s1.blend(s3.rearrange(DOWN_2), BIT_2);
        FloatVector u3 = s1.rearrange(UP_2).blend(s3, BIT_2);
        FloatVector u4 = s4.blend(s6.rearrange(DOWN_2), BIT_2);
        FloatVector u6 = s4.rearrange(UP_2).blend(s6, BIT_2);
        FloatVector u5 = s5.blend(s7.rearrange(DOWN_2), BIT_2);
        FloatVector u7 = s5.rearrange(UP_2).blend(s7, BIT_2);
        // Then halves: column c of the block is whole.
        u0.blend(u4.rearrange(DOWN_4), BIT_4).intoArray(dst, dstAt);
        u1.blend(u5.rearrange(DOWN_4), BIT_4).intoArray(dst, dstAt + dstStride);
        u2.blend(u6.rearrange(DOWN_4), BIT_4).intoArray(dst, dstAt + 2 * dstStride);
        u3.blend(u7.rearrange(DOWN_4), BIT_4).intoArray(dst, dstAt + 3 * dstStride);
        u0.rearrange(UP_4).blend(u4, BIT_4).intoArray(dst, dstAt + 4 * dstStride);
        u1.rearrange(UP_4).blend(u5, BIT_4).intoArray(dst, dstAt + 5 * dstStride);
        u2.rearrange(UP_4).blend(u6, BIT_4).intoArray(dst, dstAt + 6 * dstStride);
        u3.rearrange(UP_4).blend(u7, BIT_4).intoArray(dst, dstAt + 7 * dstStride);
    }
}
