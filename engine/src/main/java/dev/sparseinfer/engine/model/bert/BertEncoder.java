package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.backend.TokenBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The BERT encoder's forward pass (Devlin et al. 2019, post-LayerNorm), written once against {@link Backend}:
 * embeddings, then per layer self-attention and the feed-forward block, each followed by residual + LayerNorm,
 * then mean pooling and L2 normalisation (the sentence-transformers recipe). Thread-safe: each call takes a set of
 * activation buffers no other call holds (kept for the next call rather than allocated anew), and the prepared
 * weights are read-only.
 */
public final class BertEncoder {

    private final Backend backend;
    private final BertConfig config;
    private final PreparedTable wordEmbeddings;
    private final PreparedTable positionEmbeddings;
    private final PreparedTable typeEmbeddings;
    private final PreparedNorm embeddingNorm;
    private final List<Layer> layers;
    /** Buffers no call holds right now; guarded by itself. */
    private final ArrayDeque<ActivationBuffers> idleBuffers = new ArrayDeque<>();

    /** {@code projections}: the query, key and value layers, which read the same input and run as one op. */
    private record Layer(PreparedLinear[] projections, PreparedLinear attentionOutput, PreparedNorm attentionNorm,
                         PreparedLinear intermediate, PreparedLinear output, PreparedNorm outputNorm, int heads) {
    }

    /**
     * Prepares the weights on the backend, one layer at a time: a source that reads layers from a file holds only
     * one layer's copy while it is prepared. The embedding tables are prepared where they lie, so a model whose
     * tables are views of a mapped file must stay open while this encoder runs.
     */
    public BertEncoder(BertLayerSource weights, Backend backend) {
        this.backend = backend;
        this.config = weights.config();
        BertEmbeddings e = weights.embeddings();
        this.wordEmbeddings = backend.prepareTable(e.word());
        this.positionEmbeddings = backend.prepareTable(e.position());
        this.typeEmbeddings = backend.prepareTable(e.tokenType());
        this.embeddingNorm = backend.prepare(e.norm());
        List<Layer> prepared = new ArrayList<>(weights.layerCount());
        for (int i = 0; i < weights.layerCount(); i++) {
            BertLayer l = weights.layer(i);
            prepared.add(new Layer(
                    new PreparedLinear[] {backend.prepare(l.query()), backend.prepare(l.key()), backend.prepare(l.value())},
                    backend.prepare(l.attentionOutput()), backend.prepare(l.attentionNorm()),
                    backend.prepare(l.intermediate()), backend.prepare(l.output()), backend.prepare(l.outputNorm()),
                    l.query().outFeatures() / config.headDim()));
        }
        this.layers = List.copyOf(prepared);
    }

    public BertConfig config() {
        return config;
    }

    /** One L2-normalised, mean-pooled embedding per sequence of the batch. */
    public float[][] forward(TokenBatch batch) {
        try (BufferLease lease = new BufferLease()) {
            return backend.encode(batch, b -> hiddenStates(b, lease.buffers(b.tokens())));
        }
    }

    /** Embeddings and every layer: the last hidden states, still on the backend. */
    private Activations hiddenStates(TokenBatch batch, ActivationBuffers buffers) {
        Activations h = embed(batch, buffers);
        for (int i = 0; i < layers.size(); i++) {
            layer(i, h, batch, null, buffers);
        }
        return h;
    }

    /** Runs the batch through the layers with a tap watching, until the tap says stop or the layers end. */
    public void forward(TokenBatch batch, LayerTap tap) {
        try (BufferLease lease = new BufferLease()) {
            backend.pass(batch, () -> {
                ActivationBuffers buffers = lease.buffers(batch.tokens());
                Activations h = embed(batch, buffers);
                for (int i = 0; i < layers.size(); i++) {
                    if (!layer(i, h, batch, tap, buffers)) {
                        break;
                    }
                }
                return null;
            });
        }
    }

    /** The embedding block's output (the first layer's input), copied to the heap: for layer-by-layer calibration. */
    public float[] embeddings(TokenBatch batch) {
        try (BufferLease lease = new BufferLease()) {
            return backend.pass(batch, () -> backend.read(embed(batch, lease.buffers(batch.tokens()))));
        }
    }

    /** Runs one encoder layer on a heap copy of its input and returns its output: for layer-by-layer calibration. */
    public float[] runLayer(int index, float[] input, TokenBatch batch, LayerTap tap) {
        try (BufferLease lease = new BufferLease()) {
            return backend.pass(batch, () -> {
                ActivationBuffers buffers = lease.buffers(batch.tokens());
                Activations h = backend.upload(input, batch.tokens(), config.hiddenSize());
                layer(index, h, batch, tap, buffers);
                return backend.read(h);
            });
        }
    }

    /**
     * The buffers one call works in: taken when its pass first needs them (inside the pass, where a backend with a
     * per-pass arena must allocate them) and given back when the whole call, pooling included, is over.
     */
    private final class BufferLease implements AutoCloseable {

        private ActivationBuffers held;

        ActivationBuffers buffers(int tokens) {
            if (held == null) {
                held = acquire();
            }
            held.fit(tokens);
            return held;
        }

        @Override
        public void close() {
            if (held != null && backend.activationsOutlivePasses()) {
                synchronized (idleBuffers) {
                    idleBuffers.addLast(held);
                }
            }
        }
    }

    private ActivationBuffers acquire() {
        if (backend.activationsOutlivePasses()) {
            synchronized (idleBuffers) {
                ActivationBuffers idle = idleBuffers.pollLast();
                if (idle != null) {
                    return idle;
                }
            }
        }
        return new ActivationBuffers(backend, config.hiddenSize(),
                layers.stream().mapToInt(l -> l.projections()[0].outFeatures()).toArray(),
                layers.stream().mapToInt(l -> l.intermediate().outFeatures()).toArray());
    }

    private Activations embed(TokenBatch batch, ActivationBuffers buffers) {
        Activations h = buffers.hiddenStates();
        backend.embed(batch, wordEmbeddings, positionEmbeddings, typeEmbeddings, h);
        backend.addLayerNorm(h, null, embeddingNorm, (float) config.layerNormEps(), h);
        return h;
    }

    /**
     * Encoder layer {@code i}, in place on {@code h}; returns whether the tap wants the pass to go on (if it stopped
     * the pass inside the layer, h is left part-way).
     */
    private boolean layer(int i, Activations h, TokenBatch batch, LayerTap tap, ActivationBuffers buffers) {
        float eps = (float) config.layerNormEps();
        Layer layer = layers.get(i);
        ActivationBuffers.LayerViews views = buffers.layer(i);
        Activations context = views.context();
        Activations projected = buffers.projected();

        if (!tap(tap, i, LayerTap.Site.ATTENTION_INPUT, h)) {
            return false;
        }
        Activations[] qkv = views.projections();
        backend.linears(layer.projections(), h, qkv);
        backend.attention(qkv[0], qkv[1], qkv[2], layer.heads(), batch, context);
        if (!tap(tap, i, LayerTap.Site.ATTENTION_CONTEXT, context)) {
            return false;
        }
        backend.linear(layer.attentionOutput(), context, ActivationFunction.NONE, projected);
        backend.addLayerNorm(projected, h, layer.attentionNorm(), eps, h);

        Activations inner = views.inner();
        if (!tap(tap, i, LayerTap.Site.FFN_INPUT, h)) {
            return false;
        }
        if (tap == null) {
            backend.feedForward(layer.intermediate(), ActivationFunction.GELU, layer.output(), h, inner, projected);
        } else {
            // A tap reads the hidden activations, which the fused block need not leave behind.
            backend.linear(layer.intermediate(), h, ActivationFunction.GELU, inner);
            if (!tap(tap, i, LayerTap.Site.FFN_HIDDEN, inner)) {
                return false;
            }
            backend.linear(layer.output(), inner, ActivationFunction.NONE, projected);
        }
        backend.addLayerNorm(projected, h, layer.outputNorm(), eps, h);
        return tap == null || tap.layerOutput(i, backend.read(h), h.rows(), h.cols());
    }

    private boolean tap(LayerTap tap, int layer, LayerTap.Site site, Activations x) {
        return tap == null || tap.linearInput(layer, site, backend.read(x), x.rows(), x.cols());
    }
}
