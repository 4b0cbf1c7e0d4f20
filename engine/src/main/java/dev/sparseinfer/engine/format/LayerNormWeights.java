package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** Scale and shift of a LayerNorm over {@code gamma.length} features. */
public record LayerNormWeights(String name, float[] gamma, float[] beta) {

    public LayerNormWeights {
        if (gamma.length != beta.length) {
            throw SparseInferException.invalidModel(
                    name + ": LayerNorm weight has " + gamma.length + " values but its bias has " + beta.length);
        }
    }

    public int features() {
        return gamma.length;
    }
}
