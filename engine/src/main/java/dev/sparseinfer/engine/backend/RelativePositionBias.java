package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * A learned per-head attention bias chosen by the distance between key and query, as MPNet adds it to every
 * layer's attention scores before the softmax: {@code score[h][i][j] += table[bucket(j - i)][h]}, where {@code i}
 * and {@code j} count tokens from zero within their sequence. The buckets are those of transformers' MPNet
 * ({@code relative_position_bucket}): T5's bidirectional scheme with 32 buckets and a maximum distance of 128,
 * which it uses whatever {@code relative_attention_num_buckets} says, so a table may have more rows than are used.
 *
 * @param table {@code [rows, heads]} row-major, one row per bucket
 */
public record RelativePositionBias(float[] table, int rows, int heads) {

    /** The buckets transformers' MPNet sorts distances into. */
    public static final int BUCKETS = 32;
    /** Distances from this one on share the last bucket of their direction. */
    public static final int MAX_DISTANCE = 128;

    private static final int PER_DIRECTION = BUCKETS / 2;
    /** Distances below this one each have their own bucket; longer ones share buckets spaced logarithmically. */
    private static final int MAX_EXACT = PER_DIRECTION / 2;

    public RelativePositionBias {
        if (rows < BUCKETS || heads <= 0 || table.length != (long) rows * heads) {
            throw SparseInferException.invalidModel(
                    "a relative position bias of " + table.length + " values cannot be [" + rows + ", " + heads
                            + "]; it needs at least " + BUCKETS + " rows, one per bucket");
        }
    }

    /** The bucket of each distance up to {@link #MAX_DISTANCE} in one direction; every longer one shares the last. */
    private static final int[] BUCKET_OF_DISTANCE = bucketsOfDistances();

    /**
     * The bucket of a key {@code relative} tokens after its query (before it, if negative): keys after the query
     * take the upper half of the buckets.
     */
    public static int bucket(int relative) {
        int offset = relative > 0 ? PER_DIRECTION : 0;
        int n = Math.abs(relative);
        return offset + (n < MAX_DISTANCE ? BUCKET_OF_DISTANCE[n] : PER_DIRECTION - 1);
    }

    private static int[] bucketsOfDistances() {
        int[] buckets = new int[MAX_DISTANCE];
        for (int n = 0; n < MAX_DISTANCE; n++) {
            if (n < MAX_EXACT) {
                buckets[n] = n;
                continue;
            }
            // In float32 as torch computes it, so a distance on a bucket's edge lands where transformers puts it.
            float scaled = (float) Math.log((float) n / MAX_EXACT)
                    / (float) Math.log((double) MAX_DISTANCE / MAX_EXACT)
                    * (PER_DIRECTION - MAX_EXACT);
            buckets[n] = Math.min(MAX_EXACT + (int) scaled, PER_DIRECTION - 1);
        }
        return buckets;
    }

    /** The bias of head {@code head} for a key {@code relative} tokens after its query. */
    public float value(int relative, int head) {
        return table[bucket(relative) * heads + head];
    }

    /**
     * Head {@code head}'s bias for every pair of a {@code length}-token sequence, by key minus query:
     * {@code [j - i + length - 1]}.
     */
    public float[] byDistance(int head, int length) {
        float[] bias = new float[2 * length - 1];
        for (int d = 0; d < bias.length; d++) {
            bias[d] = value(d - (length - 1), head);
        }
        return bias;
    }
}
