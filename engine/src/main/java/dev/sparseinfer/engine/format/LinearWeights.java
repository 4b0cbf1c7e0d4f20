package dev.sparseinfer.engine.format;

/**
 * The weight of one linear layer, {@code y = x W^T + b}, in one of the storage formats a backend can run. The
 * shape is always {@code [outFeatures, inFeatures]}, the PyTorch convention, whatever the file stored. Every
 * format validates itself on construction, so a backend never meets an inconsistent one.
 */
public sealed interface LinearWeights
        permits DenseWeights, CsrWeights, TwoFourWeights, Int8Weights, CsrInt8Weights, TwoFourInt8Weights {

    int outFeatures();

    int inFeatures();

    /** Bytes the weights take in this format (what {@code inspect} reports and the packed file stores). */
    long storedBytes();

    /** The weights expanded (and dequantised) to a dense fp32 matrix: the reference every kernel is tested against. */
    FloatMatrix toDense();

    /** Short name for tables: {@code dense fp32}, {@code csr int8}, ... */
    String formatName();
}
