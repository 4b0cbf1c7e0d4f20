package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a model graph needs from the hardware that runs it. The graph is written once against this interface and
 * never learns which backend it runs on. Weights are prepared once ({@code prepare*}: packed for the CPU, uploaded
 * for a GPU); activations stay in backend-owned buffers from the embedding lookup to the pooled result.
 *
 * <p>A backend may be used by several threads at once, each with its own activations.
 *
 * <p>A model graph brackets each pass over a batch with {@link #pass} (or {@link #encode}, for a whole forward
 * pass to pooled embeddings). The CPU backend runs the bracketed code as it is. A GPU backend uses the bracket to
 * own the pass's activations (the CUDA backend resets its device arena and uploads the batch once, then serialises
 * passes on its stream) and, in {@link #encode}, to record the device work of a one-sequence pass once per token
 * count as a CUDA graph and replay it afterwards instead of issuing every op again.
 */
public interface Backend extends AutoCloseable {

    /** Short name: {@code cpu}, {@code cuda}. */
    String name();

    /** One line saying what runs, e.g. the vector width and thread count. */
    String description();

    /** Why this backend runs slower than the machine allows, in one line, if it does (a JVM flag missing, ...). */
    default Optional<String> notice() {
        return Optional.empty();
    }

    PreparedLinear prepare(Linear layer);

    PreparedNorm prepare(LayerNormWeights norm);

    /**
     * An embedding table that may be a view of a mapped model file, valid while the model is open: the CPU reads it
     * where it lies and keeps no copy; a GPU backend uploads it.
     */
    PreparedTable prepareTable(FloatTable table);

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
    void linear(PreparedLinear layer, Activations x, ActivationFunction activation, Activations out);

    /**
     * {@code outs[j] = x layers[j].W^T + layers[j].b} for every j: several layers reading the same input (a layer's
     * query, key and value projections), which a backend may run as one op. By default one {@link #linear} each.
     */
    default void linears(PreparedLinear[] layers, Activations x, Activations[] outs) {
        for (int j = 0; j < layers.length; j++) {
            linear(layers[j], x, ActivationFunction.NONE, outs[j]);
        }
    }

    /**
     * A feed-forward block, {@code out = activation(x up^T + b_up) down^T + b_down}, through {@code hidden}: by
     * default two {@link #linear}s. A backend that can pass the hidden activations between the two layers in its
     * own layout may do so and leave {@code hidden} as it was.
     */
    default void feedForward(
            PreparedLinear up,
            ActivationFunction activation,
            PreparedLinear down,
            Activations x,
            Activations hidden,
            Activations out) {
        linear(up, x, activation, hidden);
        linear(down, hidden, ActivationFunction.NONE, out);
    }

    /**
     * Multi-head scaled dot-product attention within each sequence of {@code batch}: head {@code h} uses columns
     * {@code h * headDim .. (h + 1) * headDim - 1} of q, k and v and writes the same columns of {@code out}.
     */
    void attention(Activations q, Activations k, Activations v, int heads, TokenBatch batch, Activations out);

    /**
     * A relative position bias ready for {@link #attention(Activations, Activations, Activations, int, TokenBatch,
     * RelativePositionBias, Activations)}. A backend without it declines here, before the model's weights are
     * prepared, with {@code BACKEND_UNAVAILABLE}, so that {@code auto} runs the model on the CPU instead.
     */
    default RelativePositionBias prepare(RelativePositionBias bias) {
        throw new SparseInferException(
                SparseInferException.Code.BACKEND_UNAVAILABLE,
                name() + ": attention with a relative position bias (MPNet) is not implemented on this backend");
    }

    /**
     * {@link #attention(Activations, Activations, Activations, int, TokenBatch, Activations)} with {@code bias} (as
     * {@link #prepare(RelativePositionBias)} returned it) added to every score before the softmax; a null bias adds
     * nothing.
     */
    default void attention(
            Activations q,
            Activations k,
            Activations v,
            int heads,
            TokenBatch batch,
            RelativePositionBias bias,
            Activations out) {
        if (bias != null) {
            throw new IllegalStateException(name() + " prepared no relative position bias");
        }
        attention(q, k, v, heads, batch, out);
    }

    /** New activations holding a copy of {@code data} ({@code [rows, cols]} row-major). */
    Activations upload(float[] data, int rows, int cols);

    /** A heap copy of the activations, row-major (for calibration and tests, never on the hot path). */
    float[] read(Activations x);

    /**
     * One vector per sequence of {@code batch}, copied to the heap: its first token's state ({@link Pooling#CLS}),
     * the mean over its tokens, the per-feature maximum over its tokens, or its last token's state; then, if
     * {@code normalize}, divided by its L2 norm, with torch.nn.functional.normalize's guard {@code max(norm, 1e-12)}
     * so a zero vector stays zero.
     */
    float[][] pool(Activations x, TokenBatch batch, Pooling pooling, boolean normalize);

    /**
     * Whether activations allocated in one pass stay valid in later passes, so a model may keep its buffers between
     * calls. A backend that resets a per-pass arena (the GPU's) says no: its activations are allocated anew inside
     * each pass.
     */
    default boolean activationsOutlivePasses() {
        return true;
    }

    /**
     * Runs {@code body}, one pass of a model graph over {@code batch}, and returns what it returns. Activations
     * allocated inside are valid until the next pass begins.
     */
    default <T> T pass(TokenBatch batch, Supplier<T> body) {
        return body.get();
    }

    /**
     * One forward pass to pooled embeddings: {@code hiddenStates} issues every op from the embedding lookup to the
     * last layer and returns the final hidden states, which are then pooled (see {@link #pool}). A backend may
     * record the ops {@code hiddenStates} issues and replay them for a later batch of the same shape, so it must
     * issue the same ops for the same token count, read nothing back to the host, and have no other effect.
     */
    default float[][] encode(
            TokenBatch batch, Pooling pooling, boolean normalize, Function<TokenBatch, Activations> hiddenStates) {
        return pass(batch, () -> pool(hiddenStates.apply(batch), batch, pooling, normalize));
    }

    @Override
    void close();
}
