package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Arrays;

/**
 * The encoder families that run as a post-LayerNorm BERT stack, by their Hugging Face {@code model_type}. They
 * differ only in how their config and tensors are named, whether they have token types, how positions are
 * numbered (RoBERTa, XLM-RoBERTa and MPNet count them from the padding index, BERT and DistilBERT from zero), and
 * whether attention adds a bias by relative position (MPNet's, see
 * {@link dev.sparseinfer.engine.backend.RelativePositionBias}).
 */
public enum Architecture {
    BERT("bert", false, false),
    ROBERTA("roberta", true, false),
    XLM_ROBERTA("xlm-roberta", true, false),
    DISTILBERT("distilbert", false, false),
    MPNET("mpnet", true, true);

    private final String modelType;
    private final boolean positionsAfterPadding;
    private final boolean relativePositionBias;

    Architecture(String modelType, boolean positionsAfterPadding, boolean relativePositionBias) {
        this.modelType = modelType;
        this.positionsAfterPadding = positionsAfterPadding;
        this.relativePositionBias = relativePositionBias;
    }

    /** The {@code model_type} of a Hugging Face {@code config.json}. */
    public String modelType() {
        return modelType;
    }

    /**
     * Whether position ids start at {@code pad_token_id + 1} and pad tokens take {@code pad_token_id}, as
     * {@code create_position_ids_from_input_ids} numbers them for RoBERTa.
     */
    public boolean positionsAfterPadding() {
        return positionsAfterPadding;
    }

    /** Whether every layer's attention adds the encoder's one bias table by relative position. */
    public boolean relativePositionBias() {
        return relativePositionBias;
    }

    /**
     * Whether the checkpoint has no token-type table (DistilBERT, MPNet): the encoder adds one row of zeros in its
     * place, which changes nothing, and packed files store that row.
     */
    public boolean withoutTokenTypes() {
        return this == DISTILBERT || this == MPNET;
    }

    /** The architecture a {@code model_type} names, or a one-line error naming it and the supported ones. */
    public static Architecture parse(String modelType) {
        return Arrays.stream(values())
                .filter(a -> a.modelType.equals(modelType))
                .findFirst()
                .orElseThrow(() -> SparseInferException.invalidModel("model_type '" + modelType
                        + "' is not supported (supported: "
                        + String.join(
                                ", ",
                                Arrays.stream(values())
                                        .map(Architecture::modelType)
                                        .toList())
                        + ")"));
    }
}
