package dev.sparseinfer.engine.backend.cpu;

import java.util.Arrays;

/**
 * Per-thread scratch arrays that grow to the largest size asked for and are then reused, so kernels that repack
 * their input (row tiles, transposes, quantised tokens) allocate nothing on the hot path after the first calls.
 * Each use has its own array, so one kernel may hold several at once; no kernel calls another while holding one.
 */
final class Scratch {

    /** What a scratch array holds; each gets its own array per thread. */
    enum Use {
        /** A kernel's repacked input: row tiles or token-major tiles. */
        PACKED_INPUT,
        /** w8a8 inputs quantised to int8, kept as exact small integers in fp32. */
        QUANTIZED_INPUT,
        /** w8a8 per-token scales. */
        TOKEN_SCALES,
        /** Partial results: a panel's outputs past the end of y, a sparse tile's token-major sums, attention scores. */
        ROW,
        /** One attention head's keys, transposed. */
        KEYS,
        /** int8 weights of one panel and input block, widened to fp32. */
        WIDE_WEIGHTS
    }

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> {
        float[][] arrays = new float[Use.values().length][];
        Arrays.fill(arrays, new float[0]);
        return arrays;
    });

    /** Tiles of a layer's output passed token-major to the next layer, one array per tile. */
    private static final ThreadLocal<float[][]> TILES = ThreadLocal.withInitial(() -> new float[0][]);

    private Scratch() {}

    /**
     * {@code count} arrays of at least {@code length} floats each, owned by the calling thread (which may share them
     * with workers for ops it waits out); contents undefined.
     */
    static float[][] tiles(int count, int length) {
        float[][] tiles = TILES.get();
        if (tiles.length < count) {
            tiles = Arrays.copyOf(tiles, count);
            TILES.set(tiles);
        }
        for (int k = 0; k < count; k++) {
            if (tiles[k] == null || tiles[k].length < length) {
                tiles[k] = new float[length];
            }
        }
        return tiles;
    }

    /** An array of at least {@code length} floats owned by the calling thread for {@code use}; contents undefined. */
    static float[] floats(Use use, int length) {
        float[][] arrays = FLOATS.get();
        float[] a = arrays[use.ordinal()];
        if (a.length < length) {
            a = new float[length];
            arrays[use.ordinal()] = a;
        }
        return a;
    }
}
