package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * Which 2 of every 4 consecutive input columns a 2:4-sparse {@code [out, in]} matrix keeps.
 *
 * <p>Layout (specified in docs/format.md): the matrix has {@code out * in / 4} groups, numbered row-major (group
 * {@code G = o * in/4 + g} covers columns {@code 4g .. 4g+3} of row {@code o}). Group {@code G} is described by a
 * 4-bit code in byte {@code G / 2}, low nibble for even {@code G}, high nibble for odd: bits 0-1 hold the smaller
 * kept index {@code i0}, bits 2-3 the larger {@code i1} ({@code 0 <= i0 < i1 <= 3}). This is the order of the PTX
 * {@code mma.sp} metadata (smaller index in the low bits, groups packed from the least significant bit up), so
 * four consecutive groups of a row are one little-endian 16-bit word, which a GPU backend only has to shuffle into
 * its threads' register order. The kept values are stored in the same group order, {@code i0}'s value first.
 */
public record TwoFourPattern(int outFeatures, int inFeatures, byte[] meta) {

    public TwoFourPattern {
        if (outFeatures < 0 || inFeatures < 0 || inFeatures % 4 != 0) {
            throw SparseInferException.invalidModel(
                    "2:4 needs input features in groups of 4; shape is [" + outFeatures + ", " + inFeatures + "]");
        }
        long groups = (long) outFeatures * inFeatures / 4;
        if (meta.length != (groups + 1) / 2) {
            throw SparseInferException.invalidModel(
                    "2:4 metadata has " + meta.length + " bytes, " + groups + " groups need " + (groups + 1) / 2);
        }
        for (long g = 0; g < groups; g++) {
            int code = code(meta, g);
            if ((code & 3) >= (code >>> 2)) {
                throw SparseInferException.invalidModel("2:4 metadata of group " + g + " is 0b"
                        + Integer.toBinaryString(code) + ": the two kept positions must be distinct and increasing");
            }
        }
        if (groups % 2 == 1 && (meta[meta.length - 1] & 0xF0) != 0) {
            throw SparseInferException.invalidModel("2:4 metadata has bits set past its last group");
        }
    }

    static int code(byte[] meta, long group) {
        return (meta[(int) (group >>> 1)] >>> ((group & 1) * 4)) & 0xF;
    }

    /** The 4-bit code of a group: {@code i0 | i1 << 2}. */
    public int code(long group) {
        return code(meta, group);
    }

    public int groups() {
        return Math.toIntExact((long) outFeatures * inFeatures / 4);
    }

    /**
     * Chooses, per group of 4, the 2 positions a dense matrix keeps: its non-zeros, topped up with the lowest
     * zero positions where a group has fewer than 2.
     *
     * @throws SparseInferException if some group has more than 2 non-zeros
     */
    public static TwoFourPattern ofNonZeros(FloatMatrix dense) {
        int out = dense.rows();
        int in = dense.cols();
        if (in % 4 != 0) {
            throw SparseInferException.invalidArgument("2:4 needs input features in groups of 4, got " + in);
        }
        int groups = Math.toIntExact((long) out * in / 4);
        byte[] meta = new byte[(groups + 1) / 2];
        float[] d = dense.data();
        for (int g = 0; g < groups; g++) {
            int base = g * 4;
            int first = -1;
            int second = -1;
            for (int j = 0; j < 4; j++) {
                if (d[base + j] != 0f) {
                    if (first < 0) {
                        first = j;
                    } else if (second < 0) {
                        second = j;
                    } else {
                        throw SparseInferException.invalidArgument("group " + g + " (row " + g / (in / 4) + ", columns "
                                + (base % in) + "-" + (base % in + 3) + ") has more than 2 non-zeros");
                    }
                }
            }
            for (int j = 0; j < 4 && second < 0; j++) {
                if (j != first) {
                    if (first < 0) {
                        first = j;
                    } else {
                        second = j;
                    }
                }
            }
            int i0 = Math.min(first, second);
            int i1 = Math.max(first, second);
            meta[g >>> 1] |= (byte) ((i0 | i1 << 2) << ((g & 1) * 4));
        }
        return new TwoFourPattern(out, in, meta);
    }

    /**
     * Where kept value {@code k} lies in the row-major dense {@code [out, in]} matrix: values are stored two per group
     * in group order, and group {@code G} starts at dense index {@code 4G}.
     */
    public int denseIndex(int k) {
        int group = k >>> 1;
        int code = code(meta, group);
        return 4 * group + ((k & 1) == 0 ? code & 3 : code >>> 2);
    }
}
