package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;

/** Mean pooling of each sequence's token rows to one vector, and its backward pass. */
final class MeanPoolOp {

    private MeanPoolOp() {}

    static float[] forward(float[] h, int cols, TokenBatch batch) {
        float[] pooled = new float[batch.sequences() * cols];
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts()[s];
            int len = batch.lengths()[s];
            for (int c = 0; c < cols; c++) {
                double sum = 0;
                for (int t = start; t < start + len; t++) {
                    sum += h[t * cols + c];
                }
                pooled[s * cols + c] = (float) (sum / len);
            }
        }
        return pooled;
    }

    /** Adds each sequence's {@code dpooled / length} to every one of its token rows of {@code dh}. */
    static void backward(float[] dpooled, int cols, TokenBatch batch, float[] dh) {
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts()[s];
            int len = batch.lengths()[s];
            for (int t = start; t < start + len; t++) {
                for (int c = 0; c < cols; c++) {
                    dh[t * cols + c] += dpooled[s * cols + c] / len;
                }
            }
        }
    }
}
