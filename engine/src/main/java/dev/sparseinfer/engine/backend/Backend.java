package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;

/**
 * What a model graph needs from the hardware that runs it. The graph is written once against this interface and
 * never learns which backend it runs on. Weights are prepared once ({@code prepare*}: packed for the CPU, uploaded
 * for a GPU); activations stay in backend-owned buffers from the embedding lookup to the pooled result.
 *
 * <p>A backend may be used by several threads at once, each with its own activations.
 */
public interface Backend extends AutoCloseable {

    /** Short name: {@code cpu}, {@code cuda}. */
    String name();

    /** One line saying what runs, e.g. the vector width and thread count. */
    String description();

    PreparedLinear prepare(Linear layer);

    PreparedNorm prepare(LayerNormWeights norm);

    PreparedTable prepareTable(FloatMatrix table);

    Activations allocate(int rows, int cols);

    /**
     * {@code [rows, cols]} activations in {@code buffer}'s storage where the backend can share it, so a model can
     * keep its buffers between calls of different lengths; contents undefined. They must fit:
     * {@code rows * cols <= buffer.rows() * buffer.cols()}. By default new activations are allocated.
     */
    default Activations reshape(Activations buffer, int rows, int cols) {
        if ((long) rows * cols > (long) buffer.rows() * buffer.cols()) {
            throw new IllegalArgumentException("[" + rows + ", " + cols + "] activations do not fit in ["
                    + buffer.rows() + ", " + buffer.cols() + "]");
        }
        return allocate(rows, cols);
    }

    /** {@code out[t] = word[tokenIds[t]] + position[positions[t]] + type[typeIds[t]]}. */
    void embed(TokenBatch batch, PreparedTable word, PreparedTable position, PreparedTable type, Activations out);

    /** {@code out = LayerNorm(x + residual)}; {@code residual} may be null. {@code out} may be {@code x}. */
    void addLayerNorm(Activations x, Activations residual, PreparedNorm norm, float eps, Activations out);

    /** {@code out = activation(x W^T + b)}. */
    void linear(PreparedLinear layer, Activations x, Activation activation, Activations out);

    /**
     * Multi-head scaled dot-product attention within each sequence of {@code batch}: head {@code h} uses columns
     * {@code h * headDim .. (h + 1) * headDim - 1} of q, k and v and writes the same columns of {@code out}.
     */
    void attention(Activations q, Activations k, Activations v, int heads, TokenBatch batch, Activations out);

    /** New activations holding a copy of {@code data} ({@code [rows, cols]} row-major). */
    Activations upload(float[] data, int rows, int cols);

    /** A heap copy of the activations, row-major (for calibration and tests, never on the hot path). */
    float[] read(Activations x);

    /** Mean over each sequence's tokens, then L2 normalisation: one vector per sequence, copied to the heap. */
    float[][] meanPoolNormalized(Activations x, TokenBatch batch);

    @Override
    void close();
}
