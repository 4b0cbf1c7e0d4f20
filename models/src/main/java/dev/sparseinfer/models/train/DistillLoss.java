package dev.sparseinfer.models.train;

/**
 * What the student is trained to minimise: the mean squared error between its and the teacher's token hidden
 * states after every layer (averaged over layers), plus, on the pooled embeddings, their mean squared error and
 * one minus their cosine. Layer-wise hidden-state matching recovers far more per step than the pooled embedding
 * alone (see docs/distillation.md). Each term is normalised by the whole batch's token or sequence count, so the
 * gradients of a batch's micro-batches add up to the batch's gradient.
 *
 * @param hiddenWeight  weight of the hidden-state term
 * @param pooledMseWeight weight of the pooled embeddings' mean squared error
 * @param cosineWeight  weight of {@code 1 - cos} of the pooled embeddings
 */
public record DistillLoss(double hiddenWeight, double pooledMseWeight, double cosineWeight) {

    /** All three terms at weight 1 except the pooled MSE at 10: pooled MiniLM values are an order smaller. */
    public static final DistillLoss DEFAULT = new DistillLoss(1.0, 10.0, 1.0);

    /**
     * Adds one layer's term to {@code grad} (same shape as {@code student}) and returns its value: the squared error
     * summed over the rows here, divided by {@code batchTokens * cols * layers}.
     */
    double hidden(float[] student, float[] teacher, int rows, int cols, int layers, int batchTokens, float[] grad) {
        double norm = hiddenWeight / ((double) batchTokens * cols * layers);
        double sum = 0;
        for (int i = 0; i < rows * cols; i++) {
            double d = (double) student[i] - teacher[i];
            sum += d * d;
            grad[i] += (float) (2 * norm * d);
        }
        return sum * norm;
    }

    /**
     * Adds the pooled terms' gradient to {@code grad} and returns their value, summed over the sequences here and
     * divided by {@code batchSequences}.
     */
    double pooled(float[] student, float[] teacher, int sequences, int cols, int batchSequences, float[] grad) {
        double loss = 0;
        for (int s = 0; s < sequences; s++) {
            int base = s * cols;
            double dot = 0;
            double ss = 0;
            double tt = 0;
            double se = 0;
            for (int c = 0; c < cols; c++) {
                double a = student[base + c];
                double b = teacher[base + c];
                dot += a * b;
                ss += a * a;
                tt += b * b;
                se += (a - b) * (a - b);
            }
            double ns = Math.sqrt(Math.max(ss, 1e-30));
            double nt = Math.sqrt(Math.max(tt, 1e-30));
            double cos = dot / (ns * nt);
            loss += (pooledMseWeight * se / cols + cosineWeight * (1 - cos)) / batchSequences;
            for (int c = 0; c < cols; c++) {
                double a = student[base + c];
                double b = teacher[base + c];
                double dMse = pooledMseWeight * 2 * (a - b) / cols;
                // d(1 - cos)/da = -(b / (|a| |b|) - cos * a / |a|^2)
                double dCos = -cosineWeight * (b / (ns * nt) - cos * a / ss);
                grad[base + c] += (float) ((dMse + dCos) / batchSequences);
            }
        }
        return loss;
    }
}
