package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** 2:4 structured-sparse fp32 weights: a {@link TwoFourPattern} and the 2 kept values of every group, in order. */
public record TwoFourWeights(TwoFourPattern pattern, float[] values) implements LinearWeights {

    public TwoFourWeights {
        if (values.length != 2L * pattern.groups()) {
            throw SparseInferException.invalidModel(
                    "2:4 has " + values.length + " values for " + pattern.groups() + " groups");
        }
    }

    /** Compresses a dense matrix that has at most 2 non-zeros in every group of 4 columns. */
    public static TwoFourWeights fromDense(FloatMatrix dense) {
        TwoFourPattern pattern = TwoFourPattern.ofNonZeros(dense);
        float[] values = new float[2 * pattern.groups()];
        for (int k = 0; k < values.length; k++) {
            values[k] = dense.data()[pattern.denseIndex(k)];
        }
        return new TwoFourWeights(pattern, values);
    }

    @Override
    public int outFeatures() {
        return pattern.outFeatures();
    }

    @Override
    public int inFeatures() {
        return pattern.inFeatures();
    }

    @Override
    public long storedBytes() {
        return 4L * values.length + pattern.meta().length;
    }

    @Override
    public FloatMatrix toDense() {
        FloatMatrix m = FloatMatrix.zeros(outFeatures(), inFeatures());
        for (int k = 0; k < values.length; k++) {
            m.data()[pattern.denseIndex(k)] = values[k];
        }
        return m;
    }

    @Override
    public String formatName() {
        return "2:4 fp32";
    }
}
