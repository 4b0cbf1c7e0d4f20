package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** One linear layer: its weights in some format and its fp32 bias ({@code outFeatures} values). */
public record Linear(String name, LinearWeights weights, float[] bias) {

    public Linear {
        if (bias.length != weights.outFeatures()) {
            throw SparseInferException.invalidModel(name + ": bias has " + bias.length + " values but the weight has "
                    + weights.outFeatures() + " output features");
        }
    }

    public int outFeatures() {
        return weights.outFeatures();
    }

    public int inFeatures() {
        return weights.inFeatures();
    }
}
