package dev.sparseinfer.engine.format;

/** Dense fp32 weights, {@code [outFeatures, inFeatures]} row-major. */
public record DenseWeights(FloatMatrix matrix) implements LinearWeights {

    @Override
    public int outFeatures() {
        return matrix.rows();
    }

    @Override
    public int inFeatures() {
        return matrix.cols();
    }

    @Override
    public long storedBytes() {
        return 4L * matrix.data().length;
    }
}
