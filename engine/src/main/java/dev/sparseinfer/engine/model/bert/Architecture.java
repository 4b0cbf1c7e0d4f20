package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Arrays;

/**
 * The encoder families that run as a post-LayerNorm BERT stack, by their Hugging Face {@code model_type}. They
 * differ only in how their config and tensors are named, whether they have token types, and how positions are
 * numbered: RoBERTa and XLM-RoBERTa count them from the padding index, BERT and DistilBERT from zero.
 */
public enum Architecture {
    BERT("bert", false),
    ROBERTA("roberta", true),
    XLM_ROBERTA("xlm-roberta", true),
    DISTILBERT("distilbert", false);

    private final String modelType;
    private final boolean positionsAfterPadding;

    Architecture(String modelType, boolean positionsAfterPadding) {
        this.modelType = modelType;
        this.positionsAfterPadding = positionsAfterPadding;
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
