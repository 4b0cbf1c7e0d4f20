package dev.sparseinfer.engine.model.bert;

/**
 * A BERT model's weights as a model is built from them: config and embeddings at once, then the layers one at a
 * time, so a reader can stage one layer's copy from its file while the backend prepares it, rather than all of them
 * at once next to the prepared copies.
 */
public interface BertLayerSource {

    BertConfig config();

    BertEmbeddings embeddings();

    int layerCount();

    /** Layer {@code index}: a reader returns a fresh copy on every call, to be dropped once prepared. */
    BertLayer layer(int index);
}
