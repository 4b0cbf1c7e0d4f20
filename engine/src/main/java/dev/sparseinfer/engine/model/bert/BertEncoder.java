package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.backend.RelativePositionBias;
import dev.sparseinfer.engine.backend.TokenBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The BERT encoder's forward pass (Devlin et al. 2019, post-LayerNorm), written once against {@link Backend}, which
 * RoBERTa, XLM-RoBERTa, DistilBERT and MPNet share (see {@link Architecture}; MPNet's attention adds a bias by
 * relative position):
 * embeddings, then per layer self-attention and the feed-forward block, each followed by residual + LayerNorm,
 * then pooling to one vector per sequence, L2-normalised if asked (the sentence-transformers recipe). Thread-safe: each call leases
 * activation buffers no other call holds, and the prepared weights are read-only.
 */
public final class BertEncoder {

    private final Backend backend;
    private final BertConfig config;
    private final PreparedTable wordEmbeddings;
    private final PreparedTable positionEmbeddings;
    private final PreparedTable typeEmbeddings;
    private final PreparedNorm embeddingNorm;
    /** Added to every layer's attention scores; null for the families without one. */
    private final RelativePositionBias relativePositionBias;

    private final List<Layer> layers;
    private final ActivationBufferPool buffers;

    /** {@code projections}: the query, key and value layers, which read the same input and run as one op. */
    private record Layer(
            PreparedLinear[] projections,
            PreparedLinear attentionOutput,
            PreparedNorm attentionNorm,
            PreparedLinear intermediate,
            PreparedLinear output,
            PreparedNorm outputNorm,
            int heads) {}

    /**
     * Prepares the weights on the backend, one layer at a time: a source that reads layers from a file holds only
     * one layer's copy while it is prepared. The embedding tables are prepared where they lie, so a model whose
     * tables are views of a mapped file must stay open while this encoder runs.
     */
    public BertEncoder(BertLayerSource weights, Backend backend) {
        this.backend = backend;
        this.config = weights.config();
        BertEmbeddings e = weights.embeddings();
        // First, so that a backend without it declines before it holds any weights.
        this.relativePositionBias = e.relativePositionBias() == null ? null : backend.prepare(e.relativePositionBias());
        this.wordEmbeddings = backend.prepareTable(e.word());
        this.positionEmbeddings = backend.prepareTable(e.position());
        this.typeEmbeddings = backend.prepareTable(e.tokenType());
        this.embeddingNorm = backend.prepare(e.norm());
        List<Layer> prepared = new ArrayList<>(weights.layerCount());
        for (int i = 0; i < weights.layerCount(); i++) {
            BertLayer l = weights.layer(i);
            int heads = l.query().outFeatures() / config.headDim();
            if (relativePositionBias != null && heads != relativePositionBias.heads()) {
                throw SparseInferException.invalidModel("layer " + i + " has " + heads + " attention heads but the "
                        + "relative position bias has " + relativePositionBias.heads()
                        + " (a model with a relative position bias cannot have heads pruned)");
            }
            prepared.add(new Layer(
                    new PreparedLinear[] {
                        backend.prepare(l.query()), backend.prepare(l.key()), backend.prepare(l.value())
                    },
                    backend.prepare(l.attentionOutput()),
                    backend.prepare(l.attentionNorm()),
                    backend.prepare(l.intermediate()),
                    backend.prepare(l.output()),
                    backend.prepare(l.outputNorm()),
                    heads));
        }
        this.layers = List.copyOf(prepared);
        this.buffers = new ActivationBufferPool(
                backend,
                config.hiddenSize(),
                layers.stream().mapToInt(l -> l.projections()[0].outFeatures()).toArray(),
                layers.stream().mapToInt(l -> l.intermediate().outFeatures()).toArray());
    }

    public BertConfig config() {
        return config;
    }

    public int layerCount() {
        return layers.size();
    }

    /**
     * One embedding per sequence of the batch, pooled as asked and L2-normalised if {@code normalize}. The batch's
     * positions are replaced by the ones the architecture gives its tokens (see {@link PositionIds}).
     */
    public float[][] forward(TokenBatch batch, Pooling pooling, boolean normalize) {
        try (ActivationBufferPool.Lease lease = buffers.lease()) {
            // The backend pools the hidden states this returns.
            return backend.encode(PositionIds.of(batch, config), pooling, normalize, b -> {
                ActivationBuffers work = lease.buffers(b.tokens());
                return layers(0, layers.size(), embeddings(b, work.hiddenStates()), b, work);
            });
        }
    }

    /**
     * The hidden states after the embeddings and the first {@code layerCount} layers ({@code 0}: the embedding
     * block's output), {@code [tokens, hidden]} row-major, copied to the heap.
     */
    public float[] hiddenStates(TokenBatch tokens, int layerCount) {
        checkLayerRange(0, layerCount);
        TokenBatch batch = PositionIds.of(tokens, config);
        try (ActivationBufferPool.Lease lease = buffers.lease()) {
            return backend.pass(batch, () -> {
                ActivationBuffers work = lease.buffers(batch.tokens());
                return backend.read(layers(0, layerCount, embeddings(batch, work.hiddenStates()), batch, work));
            });
        }
    }

    /**
     * Runs layers {@code from} (inclusive) to {@code to} (exclusive) on {@code input}, layer {@code from}'s input
     * ({@code [tokens, hidden]} row-major), and returns layer {@code to - 1}'s output, copied to the heap.
     */
    public float[] runLayers(int from, int to, float[] input, TokenBatch batch) {
        checkLayerRange(from, to);
        try (ActivationBufferPool.Lease lease = buffers.lease()) {
            return backend.pass(batch, () -> {
                Activations h = backend.upload(input, batch.tokens(), config.hiddenSize());
                return backend.read(layers(from, to, h, batch, lease.buffers(batch.tokens())));
            });
        }
    }

    private void checkLayerRange(int from, int to) {
        if (from < 0 || from > to || to > layers.size()) {
            throw new IllegalArgumentException(
                    "layers " + from + ".." + to + " are not a range of this encoder's " + layers.size() + " layers");
        }
    }

    /** The embedding block, into {@code h}: word + position + token type embeddings, then LayerNorm. */
    private Activations embeddings(TokenBatch batch, Activations h) {
        backend.embed(batch, wordEmbeddings, positionEmbeddings, typeEmbeddings, h);
        backend.addLayerNorm(h, null, embeddingNorm, (float) config.layerNormEps(), h);
        return h;
    }

    /** Layers {@code from..to-1}, in place on the hidden states {@code h}. */
    private Activations layers(int from, int to, Activations h, TokenBatch batch, ActivationBuffers work) {
        for (int i = from; i < to; i++) {
            layer(layers.get(i), h, batch, work.layer(i), work.projected());
        }
        return h;
    }

    /** One encoder layer, in place on {@code h}; {@code views} and {@code projected} are scratch. */
    private void layer(
            Layer layer, Activations h, TokenBatch batch, ActivationBuffers.LayerViews views, Activations projected) {
        float eps = (float) config.layerNormEps();

        // Self-attention: project to queries, keys and values, attend within each sequence, project back.
        Activations[] qkv = views.projections();
        backend.linears(layer.projections(), h, qkv);
        backend.attention(qkv[0], qkv[1], qkv[2], layer.heads(), batch, relativePositionBias, views.context());
        backend.linear(layer.attentionOutput(), views.context(), ActivationFunction.NONE, projected);
        // h = LayerNorm(h + attention(h))
        backend.addLayerNorm(projected, h, layer.attentionNorm(), eps, h);

        // Feed-forward: GELU(h W1^T + b1) W2^T + b2.
        backend.feedForward(layer.intermediate(), ActivationFunction.GELU, layer.output(), h, views.inner(), projected);
        // h = LayerNorm(h + feedForward(h))
        backend.addLayerNorm(projected, h, layer.outputNorm(), eps, h);
    }
}
