package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.backend.RelativePositionBias;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.LayerNormWeights;

/**
 * Token, position and token-type tables ({@code [entries, hidden]}) and the LayerNorm applied to their sum, and the
 * attention bias by relative position of the families that have one (MPNet), null otherwise: position information
 * that, like the tables, every layer shares and pruning leaves as it is. The tables may be views of a mapped model
 * file ({@link FloatTable}); {@link #onHeap} makes them independent of it.
 */
public record BertEmbeddings(
        FloatTable word,
        FloatTable position,
        FloatTable tokenType,
        LayerNormWeights norm,
        RelativePositionBias relativePositionBias) {

    /** Embeddings without a relative position bias. */
    public BertEmbeddings(FloatTable word, FloatTable position, FloatTable tokenType, LayerNormWeights norm) {
        this(word, position, tokenType, norm, null);
    }

    /** The same embeddings with every table on the heap (copied there if it is not), to outlive the file they were read from. */
    public BertEmbeddings onHeap() {
        return new BertEmbeddings(word.onHeap(), position.onHeap(), tokenType.onHeap(), norm, relativePositionBias);
    }

    /** The same position information and norm with other tables (the same tables stored another way). */
    public BertEmbeddings withTables(FloatTable word, FloatTable position, FloatTable tokenType) {
        return new BertEmbeddings(word, position, tokenType, norm, relativePositionBias);
    }
}
