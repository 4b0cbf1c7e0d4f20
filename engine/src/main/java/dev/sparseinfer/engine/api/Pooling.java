package dev.sparseinfer.engine.api;

/** How a model turns the encoder's per-token states into one vector per text. */
public enum Pooling {
    /** The state of the first token ({@code [CLS]}), as BGE models are trained to be used. */
    CLS,
    /** The mean of all token states (padding excluded), as sentence-transformers' MiniLM and E5 models are. */
    MEAN,
    /** The element-wise maximum over all token states. */
    MAX,
    /** The state of the last token, as decoder-based embedding models use it. */
    LAST_TOKEN
}
