package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import java.util.Arrays;

/**
 * One forward pass's activations, kept between passes: a buffer per role for the largest batch seen so far, and
 * views of it shaped for the current batch and each layer's widths (which differ between layers only in
 * structurally pruned models). So a pass allocates nothing while the token count stays the same (a few views when
 * it changes) where fresh activations would be about 1 MiB for a dozen tokens through MiniLM, and its activations
 * stay warm in cache.
 */
final class ActivationBuffers {

    /**
     * The views one layer works in, shaped by its attention width and FFN width; {@code projections} holds the
     * query, key and value outputs, in that order.
     */
    record LayerViews(Activations[] projections, Activations context, Activations inner) {}

    private final Backend backend;
    private final int hidden;
    private final int[] attentionWidths;
    private final int[] innerWidths;
    private final int maxAttentionWidth;
    private final int maxInnerWidth;
    private final LayerViews[] layers;
    private int capacity;
    private int tokens = -1;
    private Activations[] buffers;
    private Activations hiddenStates;
    private Activations projected;

    ActivationBuffers(Backend backend, int hidden, int[] attentionWidths, int[] innerWidths) {
        this.backend = backend;
        this.hidden = hidden;
        this.attentionWidths = attentionWidths;
        this.innerWidths = innerWidths;
        this.maxAttentionWidth = Arrays.stream(attentionWidths).max().orElse(0);
        this.maxInnerWidth = Arrays.stream(innerWidths).max().orElse(0);
        this.layers = new LayerViews[attentionWidths.length];
    }

    /** Shapes every view for {@code tokens} rows, growing the buffers first if they are too small. */
    void fit(int tokens) {
        if (tokens == this.tokens) {
            return;
        }
        if (tokens > capacity) {
            capacity = Math.max(tokens, 2 * capacity);
            buffers = new Activations[] {
                backend.allocate(capacity, hidden), backend.allocate(capacity, hidden),
                backend.allocate(capacity, maxAttentionWidth), backend.allocate(capacity, maxAttentionWidth),
                backend.allocate(capacity, maxAttentionWidth), backend.allocate(capacity, maxAttentionWidth),
                backend.allocate(capacity, maxInnerWidth)
            };
        }
        hiddenStates = backend.reshape(buffers[0], tokens, hidden);
        projected = backend.reshape(buffers[1], tokens, hidden);
        for (int l = 0; l < layers.length; l++) {
            int width = attentionWidths[l];
            int innerWidth = innerWidths[l];
            layers[l] = l > 0 && width == attentionWidths[l - 1] && innerWidth == innerWidths[l - 1]
                    ? layers[l - 1]
                    : new LayerViews(
                            new Activations[] {
                                backend.reshape(buffers[2], tokens, width),
                                backend.reshape(buffers[3], tokens, width),
                                backend.reshape(buffers[4], tokens, width)
                            },
                            backend.reshape(buffers[5], tokens, width),
                            backend.reshape(buffers[6], tokens, innerWidth));
        }
        this.tokens = tokens;
    }

    /** The encoder's running hidden states, {@code [tokens, hidden]}. */
    Activations hiddenStates() {
        return hiddenStates;
    }

    /** A sublayer's output before its residual LayerNorm, {@code [tokens, hidden]}. */
    Activations projected() {
        return projected;
    }

    LayerViews layer(int index) {
        return layers[index];
    }
}
