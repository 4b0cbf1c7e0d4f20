package dev.sparseinfer.engine.model.bert;

import java.util.List;

/** Everything a BERT encoder needs to run: its config, embeddings and layers, in any weight format, all in memory. */
public record BertWeights(BertConfig config, BertEmbeddings embeddings, List<BertLayer> layers)
        implements BertLayerSource {

    public BertWeights {
        layers = List.copyOf(layers);
    }

    @Override
    public int layerCount() {
        return layers.size();
    }

    @Override
    public BertLayer layer(int index) {
        return layers.get(index);
    }
}
