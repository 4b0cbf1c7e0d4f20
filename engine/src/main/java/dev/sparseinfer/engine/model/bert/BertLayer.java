package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import java.util.List;

/**
 * One post-LayerNorm encoder layer. A pruned layer may have fewer heads (query/key/value outputs, attention-output
 * inputs) or FFN channels than the config says; the sizes here are the truth.
 */
public record BertLayer(
        Linear query,
        Linear key,
        Linear value,
        Linear attentionOutput,
        LayerNormWeights attentionNorm,
        Linear intermediate,
        Linear output,
        LayerNormWeights outputNorm) {

    public java.util.List<Linear> linears() {
        return List.of(query, key, value, attentionOutput, intermediate, output);
    }
}
