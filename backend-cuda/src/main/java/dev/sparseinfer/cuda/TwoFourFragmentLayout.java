package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.format.TwoFourPattern;
import dev.sparseinfer.engine.format.TwoFourWeights;

/**
 * 2:4 weights reordered once, at upload, into the order the {@code si_twofour_*} kernels' threads load them
 * (described at the top of {@code kernels/src/main/cuda/twofour.cu}): row tiles of 16 output features, K steps of
 * 32 inputs, both zero-padded; per (tile, step) 32 lanes x 4 words of fp16 value pairs and 16 metadata words.
 *
 * @param values   {@code rowTiles * kSteps * 32 * 4} words, each the fp16 pair of one group (i0's value low)
 * @param meta     {@code rowTiles * kSteps * 16} words: low half row g, high half row g + 8, four groups each
 * @param rowTiles output features / 16, rounded up
 * @param kSteps   input features / 32, rounded up
 */
public record TwoFourFragmentLayout(int[] values, int[] meta, int rowTiles, int kSteps) {

    /** Code of a padding group: positions 0 and 1, zero values; valid under ordered metadata. */
    static final int PADDING_CODE = 0b0100;

    public static TwoFourFragmentLayout of(TwoFourWeights w) {
        TwoFourPattern p = w.pattern();
        int out = p.outFeatures();
        int groupsPerRow = p.inFeatures() / 4;
        int rowTiles = (out + 15) / 16;
        int kSteps = (p.inFeatures() + 31) / 32;
        int[] values = new int[rowTiles * kSteps * 32 * 4];
        int[] meta = new int[rowTiles * kSteps * 16];
        for (int mt = 0; mt < rowTiles; mt++) {
            for (int s = 0; s < kSteps; s++) {
                int tileStep = mt * kSteps + s;
                for (int lane = 0; lane < 32; lane++) {
                    int g = lane >>> 2;
                    int q = lane & 3;
                    for (int r = 0; r < 4; r++) {
                        int row = mt * 16 + g + 8 * (r & 1);
                        int group = s * 8 + q + 4 * (r >>> 1);
                        values[(tileStep * 32 + lane) * 4 + r] = pair(w, row, group, out, groupsPerRow);
                    }
                }
                for (int g = 0; g < 8; g++) {
                    for (int h = 0; h < 2; h++) {
                        int word = 0;
                        for (int half = 0; half < 2; half++) {
                            int row = mt * 16 + g + 8 * half;
                            for (int j = 0; j < 4; j++) {
                                int group = s * 8 + 4 * h + j;
                                int code = row < out && group < groupsPerRow
                                        ? p.code((long) row * groupsPerRow + group)
                                        : PADDING_CODE;
                                word |= code << (16 * half + 4 * j);
                            }
                        }
                        meta[tileStep * 16 + 2 * g + h] = word;
                    }
                }
            }
        }
        return new TwoFourFragmentLayout(values, meta, rowTiles, kSteps);
    }

    private static int pair(TwoFourWeights w, int row, int group, int out, int groupsPerRow) {
        if (row >= out || group >= groupsPerRow) {
            return 0;
        }
        int k = 2 * (row * groupsPerRow + group);
        int low = Float.floatToFloat16(w.values()[k]) & 0xFFFF;
        int high = Float.floatToFloat16(w.values()[k + 1]) & 0xFFFF;
        return low | high << 16;
    }
}
