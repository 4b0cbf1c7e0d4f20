package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;

/**
 * Multi-head scaled dot-product attention over a packed batch, and its backward pass. Each sequence attends only
 * within itself: a packed batch has no padding, so this is what a padding mask does for a padded one.
 */
final class AttentionOp {

    private AttentionOp() {}

    /** Where sequence {@code s}'s probabilities start in the array {@link #forward} fills: heads x len x len each. */
    static int[] probabilityOffsets(TokenBatch batch, int heads) {
        int[] offsets = new int[batch.sequences() + 1];
        for (int s = 0; s < batch.sequences(); s++) {
            offsets[s + 1] = offsets[s] + heads * batch.lengths()[s] * batch.lengths()[s];
        }
        return offsets;
    }

    /**
     * {@code ctx[i, head] = sum_j P_ij v[j, head]} with {@code P = softmax_j(q_i . k_j / sqrt(headDim))}, rows of
     * {@code width = heads * headDim}; the probabilities go to {@code probs} at {@link #probabilityOffsets}.
     */
    static void forward(
            float[] q,
            float[] k,
            float[] v,
            int heads,
            int width,
            TokenBatch batch,
            int[] offsets,
            float[] probs,
            float[] ctx,
            Parallel parallel) {
        int headDim = width / heads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        parallel.range(batch.sequences(), (from, to) -> {
            for (int s = from; s < to; s++) {
                int start = batch.starts()[s];
                int len = batch.lengths()[s];
                for (int h = 0; h < heads; h++) {
                    int col = h * headDim;
                    int p0 = offsets[s] + h * len * len;
                    for (int i = 0; i < len; i++) {
                        int qi = (start + i) * width + col;
                        int row = p0 + i * len;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int j = 0; j < len; j++) {
                            int kj = (start + j) * width + col;
                            float dot = 0;
                            for (int d = 0; d < headDim; d++) {
                                dot += q[qi + d] * k[kj + d];
                            }
                            probs[row + j] = dot * scale;
                            max = Math.max(max, probs[row + j]);
                        }
                        float sum = 0;
                        for (int j = 0; j < len; j++) {
                            probs[row + j] = (float) Math.exp(probs[row + j] - max);
                            sum += probs[row + j];
                        }
                        float inv = 1f / sum;
                        for (int d = 0; d < headDim; d++) {
                            ctx[qi + d] = 0;
                        }
                        for (int j = 0; j < len; j++) {
                            float p = probs[row + j] * inv;
                            probs[row + j] = p;
                            int vj = (start + j) * width + col;
                            for (int d = 0; d < headDim; d++) {
                                ctx[qi + d] += p * v[vj + d];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * From {@code dctx}: {@code dV = P^T dctx}, {@code dP = dctx V^T}, {@code dS = P * (dP - rowsum(P * dP))} (the
     * softmax Jacobian), {@code dQ = scale dS K}, {@code dK = scale dS^T Q}; dq, dk, dv are overwritten.
     */
    static void backward(
            float[] dctx,
            float[] q,
            float[] k,
            float[] v,
            int heads,
            int width,
            TokenBatch batch,
            int[] offsets,
            float[] probs,
            float[] dq,
            float[] dk,
            float[] dv,
            Parallel parallel) {
        int headDim = width / heads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        parallel.range(batch.sequences(), (from, to) -> {
            float[] dS = new float[maxLength(batch)];
            for (int s = from; s < to; s++) {
                int start = batch.starts()[s];
                int len = batch.lengths()[s];
                for (int t = start * width; t < (start + len) * width; t++) {
                    dq[t] = 0;
                    dk[t] = 0;
                    dv[t] = 0;
                }
                for (int h = 0; h < heads; h++) {
                    int col = h * headDim;
                    int p0 = offsets[s] + h * len * len;
                    for (int i = 0; i < len; i++) {
                        int ci = (start + i) * width + col;
                        int row = p0 + i * len;
                        float weighted = 0;
                        for (int j = 0; j < len; j++) {
                            int vj = (start + j) * width + col;
                            float p = probs[row + j];
                            float dp = 0;
                            for (int d = 0; d < headDim; d++) {
                                dp += dctx[ci + d] * v[vj + d];
                                dv[vj + d] += p * dctx[ci + d];
                            }
                            dS[j] = dp;
                            weighted += p * dp;
                        }
                        for (int j = 0; j < len; j++) {
                            float ds = probs[row + j] * (dS[j] - weighted) * scale;
                            int kj = (start + j) * width + col;
                            for (int d = 0; d < headDim; d++) {
                                dq[ci + d] += ds * k[kj + d];
                                dk[kj + d] += ds * q[ci + d];
                            }
                        }
                    }
                }
            }
        });
    }

    private static int maxLength(TokenBatch batch) {
        int max = 0;
        for (int len : batch.lengths()) {
            max = Math.max(max, len);
        }
        return max;
    }
}
