package dev.sparseinfer.engine.format;

/**
 * The weight of one linear layer, {@code y = x W^T + b}, in one of the storage formats a backend can run.
 * The shape is always {@code [outFeatures, inFeatures]}, the PyTorch convention, whatever the file stored.
 */
public sealed interface LinearWeights permits DenseWeights {

    int outFeatures();

    int inFeatures();

    /** Bytes the weights take in this format (what {@code inspect} reports). */
    long storedBytes();
}
