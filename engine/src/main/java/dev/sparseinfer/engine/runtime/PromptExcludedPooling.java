package dev.sparseinfer.engine.runtime;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.TokenBatch;
import java.util.Arrays;

/**
 * Mean or max pooling that leaves each sequence's first tokens out: sentence-transformers' {@code include_prompt:
 * false}, which masks the first {@code prompt_length} tokens (the prompt tokenised alone, less its closing special
 * token: the opening one and the prompt's own) before pooling. Runs on the heap over hidden states read back from
 * the backend, because no backend's pooling takes a per-sequence start.
 */
final class PromptExcludedPooling {

    private PromptExcludedPooling() {}

    /**
     * One vector per sequence of {@code batch}, pooled over its tokens after the first {@code skipped}, from
     * {@code states} ({@code [tokens, width]} row-major); a sequence with no token left pools to zeros, as
     * sentence-transformers' clamped mean does. L2-normalised if {@code normalize}, with the 1e-12 guard
     * {@link dev.sparseinfer.engine.backend.Backend#pool} uses.
     */
    static float[][] pool(
            float[] states, int width, TokenBatch batch, int skipped, Pooling pooling, boolean normalize) {
        if (pooling != Pooling.MEAN && pooling != Pooling.MAX) {
            throw new IllegalArgumentException(pooling + " pooling does not leave prompt tokens out");
        }
        float[][] pooled = new float[batch.sequences()][width];
        double[] vector = new double[width];
        for (int s = 0; s < batch.sequences(); s++) {
            int from = batch.starts()[s] + Math.min(skipped, batch.lengths()[s]);
            int to = batch.starts()[s] + batch.lengths()[s];
            Arrays.fill(vector, pooling == Pooling.MAX && from < to ? Double.NEGATIVE_INFINITY : 0);
            for (int t = from; t < to; t++) {
                for (int c = 0; c < width; c++) {
                    double v = states[t * width + c];
                    vector[c] = pooling == Pooling.MAX ? Math.max(vector[c], v) : vector[c] + v;
                }
            }
            if (pooling == Pooling.MEAN && from < to) {
                for (int c = 0; c < width; c++) {
                    vector[c] /= to - from;
                }
            }
            double norm = 0;
            for (int c = 0; c < width; c++) {
                norm += vector[c] * vector[c];
            }
            double scale = normalize ? 1.0 / Math.max(Math.sqrt(norm), 1e-12) : 1;
            for (int c = 0; c < width; c++) {
                pooled[s][c] = (float) (vector[c] * scale);
            }
        }
        return pooled;
    }
}
