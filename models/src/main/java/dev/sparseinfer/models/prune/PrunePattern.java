package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.SparseInferException;

/** What pruning removes: single weights (unstructured, 2:4) or whole structures (heads, FFN channels, layers). */
public enum PrunePattern {
    UNSTRUCTURED("unstructured"),
    TWO_FOUR("2:4"),
    HEADS("heads"),
    FFN("ffn"),
    LAYERS("layers");

    private final String label;

    PrunePattern(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether this pattern zeroes single weights (and so takes a method) rather than removing structures. */
    public boolean isWeightLevel() {
        return this == UNSTRUCTURED || this == TWO_FOUR;
    }

    public static PrunePattern parse(String s) {
        for (PrunePattern p : values()) {
            if (p.label.equals(s.trim())) {
                return p;
            }
        }
        throw SparseInferException.invalidArgument(
                "unknown pattern '" + s + "' (expected unstructured, 2:4, heads, ffn or layers)");
    }
}
