package dev.sparseinfer.engine.api;

import java.util.Arrays;
import java.util.Locale;

/** How a model turns the encoder's per-token states into one vector per text. */
public enum Pooling {
    /** The state of the first token ({@code [CLS]}), as BGE models are trained to be used. */
    CLS("cls"),
    /** The mean of all token states (padding excluded), as sentence-transformers' MiniLM and E5 models are. */
    MEAN("mean"),
    /** The element-wise maximum over all token states. */
    MAX("max"),
    /** The state of the last token, as decoder-based embedding models use it. */
    LAST_TOKEN("last");

    private final String label;

    Pooling(String label) {
        this.label = label;
    }

    /** The name the command line and packed files use: {@code cls}, {@code mean}, {@code max}, {@code last}. */
    public String label() {
        return label;
    }

    /**
     * The pooling a {@link #label()} (any case) names.
     *
     * @throws SparseInferException if it names none
     */
    public static Pooling parse(String label) {
        String lower = label.toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(p -> p.label.equals(lower))
                .findFirst()
                .orElseThrow(() -> SparseInferException.invalidArgument("unknown pooling '" + label + "' (expected "
                        + String.join(
                                "|", Arrays.stream(values()).map(Pooling::label).toList()) + ")"));
    }
}
