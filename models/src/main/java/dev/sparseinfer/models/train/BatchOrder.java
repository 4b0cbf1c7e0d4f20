package dev.sparseinfer.models.train;

import java.util.Random;

/**
 * Which corpus sequences step {@code t} trains on: the corpus is visited in a fresh seeded permutation per epoch,
 * {@code batch} sequences per step, so the batch of any step follows from the seed and the step alone (a resumed
 * run sees the same batches as an uninterrupted one).
 */
final class BatchOrder {

    private final int size;
    private final int batch;
    private final long seed;
    private int cachedEpoch = -1;
    private int[] permutation;

    BatchOrder(int corpusSize, int batch, long seed) {
        this.size = corpusSize;
        this.batch = batch;
        this.seed = seed;
    }

    int[] batch(int step) {
        int[] indices = new int[batch];
        for (int i = 0; i < batch; i++) {
            long global = (long) step * batch + i;
            indices[i] = permutation((int) (global / size))[(int) (global % size)];
        }
        return indices;
    }

    private int[] permutation(int epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[size];
            for (int i = 0; i < size; i++) {
                p[i] = i;
            }
            Random random = new Random(seed * 1_000_003L + epoch);
            for (int i = size - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            permutation = p;
            cachedEpoch = epoch;
        }
        return permutation;
    }
}
