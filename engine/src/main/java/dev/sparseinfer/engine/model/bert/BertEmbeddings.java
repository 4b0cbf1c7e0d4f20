package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.LayerNormWeights;

/**
 * Token, position and token-type tables ({@code [entries, hidden]}) and the LayerNorm applied to their sum. The
 * tables may be views of a mapped model file ({@link FloatTable}); {@link #onHeap} makes them independent of it.
 */
public record BertEmbeddings(FloatTable word, FloatTable position, FloatTable tokenType, LayerNormWeights norm) {

    /** The same embeddings with every table on the heap (copied there if it is not), to outlive the file they were read from. */
    public BertEmbeddings onHeap() {
        return new BertEmbeddings(word.onHeap(), position.onHeap(), tokenType.onHeap(), norm);
    }
}
