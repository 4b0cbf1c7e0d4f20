package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.LayerNormWeights;

/** Token, position and token-type tables ({@code [entries, hidden]}) and the LayerNorm applied to their sum. */
public record BertEmbeddings(FloatMatrix word, FloatMatrix position, FloatMatrix tokenType, LayerNormWeights norm) {
}
