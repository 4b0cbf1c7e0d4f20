package dev.sparseinfer.engine.io;

import dev.sparseinfer.engine.model.bert.BertWeights;

/**
 * A model as read from disk, before any backend touches it.
 *
 * @param weights       the encoder's weights, each linear layer in its stored format
 * @param tokenizerJson the text of its {@code tokenizer.json}
 * @param source        where it came from, for messages
 */
public record LoadedModel(BertWeights weights, String tokenizerJson, String source) {
}
