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

    @Override
    public FloatMatrix toDense() {
        return matrix;
    }

    @Override
    public String formatName() {
        return "dense fp32";
    }
}
