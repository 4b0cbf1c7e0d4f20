package dev.sparseinfer.models.calibration;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.backend.RelativePositionBias;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A backend that runs everything on another one and shows a listener the input of every linear layer of a BERT
 * model as a pass reaches it: what Wanda's input norms and SparseGPT's Hessians are measured on. It knows which
 * layer an op runs by the identity of the model's {@link Linear}s it prepared, so the model graph needs no hooks.
 * For one pass at a time; closing it leaves the wrapped backend open.
 */
public final class TappingBackend implements Backend {

    /** Which linear layers of an encoder layer an input feeds. */
    public enum Site {
        /** The layer's input, fed to query, key and value. */
        ATTENTION_INPUT,
        /** The attention context, fed to the attention output projection. */
        ATTENTION_CONTEXT,
        /** The attention block's output, fed to the FFN's intermediate projection. */
        FFN_INPUT,
        /** The GELU output, fed to the FFN's output projection. */
        FFN_HIDDEN
    }

    /** Sees linear-layer inputs as a pass reaches them. */
    @FunctionalInterface
    public interface Listener {

        /**
         * The input of the linear layers at {@code site} of encoder layer {@code layer}: {@code rows} (the batch's
         * tokens) by {@code cols}, row-major, in a heap copy the listener may keep.
         */
        void linearInput(int layer, Site site, float[] x, int rows, int cols);
    }

    private record Tap(int layer, Site site) {}

    private final Backend delegate;
    private final Listener listener;
    private final Map<Linear, Tap> taps = new IdentityHashMap<>();
    private final Map<PreparedLinear, Tap> prepared = new IdentityHashMap<>();

    /** Taps the linear layers of {@code model} that are prepared through it. */
    public TappingBackend(Backend delegate, BertWeights model, Listener listener) {
        this.delegate = delegate;
        this.listener = listener;
        for (int l = 0; l < model.layers().size(); l++) {
            BertLayer layer = model.layers().get(l);
            tap(layer.query(), l, Site.ATTENTION_INPUT);
            tap(layer.key(), l, Site.ATTENTION_INPUT);
            tap(layer.value(), l, Site.ATTENTION_INPUT);
            tap(layer.attentionOutput(), l, Site.ATTENTION_CONTEXT);
            tap(layer.intermediate(), l, Site.FFN_INPUT);
            tap(layer.output(), l, Site.FFN_HIDDEN);
        }
    }

    private void tap(Linear linear, int layer, Site site) {
        if (taps.put(linear, new Tap(layer, site)) != null) {
            throw new IllegalArgumentException(
                    linear.name() + " appears twice in the model: its inputs could not be told apart");
        }
    }

    @Override
    public PreparedLinear prepare(Linear layer) {
        Tap tap = taps.get(layer);
        if (tap == null) {
            throw new IllegalArgumentException(layer.name() + " is not a linear layer of the tapped model");
        }
        PreparedLinear p = delegate.prepare(layer);
        prepared.put(p, tap);
        return p;
    }

    @Override
    public void linear(PreparedLinear layer, Activations x, ActivationFunction activation, Activations out) {
        show(layer, x);
        delegate.linear(layer, x, activation, out);
    }

    /** One look at the input the layers share, then the wrapped backend's joint op. */
    @Override
    public void linears(PreparedLinear[] layers, Activations x, Activations[] outs) {
        show(layers[0], x);
        delegate.linears(layers, x, outs);
    }

    /** Two {@link #linear}s, whatever the wrapped backend would fuse: the hidden activations are an input to show. */
    @Override
    public void feedForward(
            PreparedLinear up,
            ActivationFunction activation,
            PreparedLinear down,
            Activations x,
            Activations hidden,
            Activations out) {
        linear(up, x, activation, hidden);
        linear(down, hidden, ActivationFunction.NONE, out);
    }

    private void show(PreparedLinear layer, Activations x) {
        Tap tap = prepared.get(layer);
        if (tap == null) {
            throw new IllegalArgumentException("a linear layer this backend did not prepare");
        }
        listener.linearInput(tap.layer(), tap.site(), delegate.read(x), x.rows(), x.cols());
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String description() {
        return delegate.description() + ", tapped";
    }

    @Override
    public PreparedNorm prepare(LayerNormWeights norm) {
        return delegate.prepare(norm);
    }

    @Override
    public PreparedTable prepareTable(FloatTable table) {
        return delegate.prepareTable(table);
    }

    @Override
    public Activations allocate(int rows, int cols) {
        return delegate.allocate(rows, cols);
    }

    @Override
    public Activations reshape(Activations buffer, int rows, int cols) {
        return delegate.reshape(buffer, rows, cols);
    }

    @Override
    public void embed(
            TokenBatch batch, PreparedTable word, PreparedTable position, PreparedTable type, Activations out) {
        delegate.embed(batch, word, position, type, out);
    }

    @Override
    public void addLayerNorm(Activations x, Activations residual, PreparedNorm norm, float eps, Activations out) {
        delegate.addLayerNorm(x, residual, norm, eps, out);
    }

    @Override
    public void attention(Activations q, Activations k, Activations v, int heads, TokenBatch batch, Activations out) {
        delegate.attention(q, k, v, heads, batch, out);
    }

    @Override
    public RelativePositionBias prepare(RelativePositionBias bias) {
        return delegate.prepare(bias);
    }

    @Override
    public void attention(
            Activations q,
            Activations k,
            Activations v,
            int heads,
            TokenBatch batch,
            RelativePositionBias bias,
            Activations out) {
        delegate.attention(q, k, v, heads, batch, bias, out);
    }

    @Override
    public Activations upload(float[] data, int rows, int cols) {
        return delegate.upload(data, rows, cols);
    }

    @Override
    public float[] read(Activations x) {
        return delegate.read(x);
    }

    @Override
    public float[][] pool(Activations x, TokenBatch batch, Pooling pooling, boolean normalize) {
        return delegate.pool(x, batch, pooling, normalize);
    }

    @Override
    public boolean activationsOutlivePasses() {
        return delegate.activationsOutlivePasses();
    }

    /**
     * The wrapped backend's bracket. {@link #encode} is left to the interface's default, a plain pass, because a
     * backend's own may record the ops once and replay them without this backend seeing them again.
     */
    @Override
    public <T> T pass(TokenBatch batch, Supplier<T> body) {
        return delegate.pass(batch, body);
    }

    @Override
    public void close() {}
}
