package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.backend.Backend;
import java.util.ArrayDeque;

/**
 * The activation buffers of an encoder's calls, kept for the next call rather than allocated anew: each call leases
 * a set no other call holds, which is what lets several threads run one encoder at once.
 */
final class ActivationBufferPool {

    private final Backend backend;
    private final int hidden;
    private final int[] attentionWidths;
    private final int[] innerWidths;
    /** Buffers no call holds right now; guarded by itself. */
    private final ArrayDeque<ActivationBuffers> idle = new ArrayDeque<>();

    /** {@code attentionWidths} and {@code innerWidths}: each layer's, which differ only in structurally pruned models. */
    ActivationBufferPool(Backend backend, int hidden, int[] attentionWidths, int[] innerWidths) {
        this.backend = backend;
        this.hidden = hidden;
        this.attentionWidths = attentionWidths;
        this.innerWidths = innerWidths;
    }

    Lease lease() {
        return new Lease();
    }

    /**
     * The buffers one call works in: taken when its pass first needs them (inside the pass, where a backend with a
     * per-pass arena must allocate them) and given back when the whole call, pooling included, is over.
     */
    final class Lease implements AutoCloseable {

        private ActivationBuffers held;

        ActivationBuffers buffers(int tokens) {
            if (held == null) {
                held = take();
            }
            held.fit(tokens);
            return held;
        }

        @Override
        public void close() {
            if (held != null && backend.activationsOutlivePasses()) {
                synchronized (idle) {
                    idle.addLast(held);
                }
            }
        }
    }

    private ActivationBuffers take() {
        if (backend.activationsOutlivePasses()) {
            synchronized (idle) {
                ActivationBuffers buffers = idle.pollLast();
                if (buffers != null) {
                    return buffers;
                }
            }
        }
        return new ActivationBuffers(backend, hidden, attentionWidths, innerWidths);
    }
}
