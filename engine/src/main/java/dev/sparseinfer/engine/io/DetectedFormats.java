package dev.sparseinfer.engine.io;

import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.SparsityDetector;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEmbeddings;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertLayerSource;

/** A source whose dense linear layers come in the sparse format they fit (see {@link SparsityDetector}). */
record DetectedFormats(BertLayerSource dense) implements BertLayerSource {

    @Override
    public BertConfig config() {
        return dense.config();
    }

    @Override
    public BertEmbeddings embeddings() {
        return dense.embeddings();
    }

    @Override
    public int layerCount() {
        return dense.layerCount();
    }

    @Override
    public BertLayer layer(int index) {
        BertLayer l = dense.layer(index);
        return new BertLayer(
                detect(l.query()),
                detect(l.key()),
                detect(l.value()),
                detect(l.attentionOutput()),
                l.attentionNorm(),
                detect(l.intermediate()),
                detect(l.output()),
                l.outputNorm());
    }

    private static Linear detect(Linear linear) {
        return new Linear(linear.name(), SparsityDetector.detect(linear.weights()), linear.bias());
    }
}
