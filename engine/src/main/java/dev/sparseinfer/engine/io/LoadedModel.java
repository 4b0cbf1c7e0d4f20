package dev.sparseinfer.engine.io;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.Map;
import java.util.Objects;

/**
 * A model as read from disk, before any backend touches it, wholly in memory: nothing in it refers to the file it
 * came from (a {@link MappedModel} is one whose file is still mapped).
 *
 * @param weights       the encoder's weights, each linear layer in its stored format
 * @param tokenizerJson the text of its {@code tokenizer.json}
 * @param source        where it came from, for messages
 * @param metadata      string metadata a packed file carries ({@code sparseinfer.recipe}, ...); empty otherwise
 * @param recipe        the pooling, normalisation and prompts the model declares
 */
public record LoadedModel(
        BertWeights weights,
        String tokenizerJson,
        String source,
        Map<String, String> metadata,
        EmbeddingRecipe recipe) {

    public LoadedModel {
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(recipe, "recipe");
    }

    /** A model that declares nothing: no metadata, {@link EmbeddingRecipe#MEAN_NORMALIZED}. */
    public LoadedModel(BertWeights weights, String tokenizerJson, String source) {
        this(weights, tokenizerJson, source, Map.of(), EmbeddingRecipe.MEAN_NORMALIZED);
    }
}
