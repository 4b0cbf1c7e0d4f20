package dev.sparseinfer.engine.model.bert;

import java.util.List;

/** Everything a BERT encoder needs to run: its config, embeddings and layers, in any weight format. */
public record BertWeights(BertConfig config, BertEmbeddings embeddings, List<BertLayer> layers) {

    public BertWeights {
        layers = List.copyOf(layers);
    }
}
