package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** 2:4 structured-sparse fp32 weights: a {@link TwoFourPattern} and the 2 kept values of every group, in order. */
public record TwoFourWeights(TwoFourPattern pattern, float[] values) implements LinearWeights {

    public TwoFourWeights {
        if (values.length != 2L * pattern.groups()) {
            throw SparseInferException.invalidModel("2:4 has " + values.length + " values for " + pattern.groups() + " groups");
        }
    }

    /** Compresses a dense matrix that has at most 2 non-zeros in every group of 4 columns. */
    public static TwoFourWeights fromDense(FloatMatrix dense) {
        TwoFourPattern pattern = TwoFourPattern.ofNonZeros(dense);
        float[] values = new float[2 * pattern.groups()];
        int groupsPerRow = dense.cols() / 4;
        for (int g = 0; g < pattern.groups(); g++) {
            int row = g / groupsPerRow;
            values[2 * g] = dense.get(row, pattern.column(g, 0));
            values[2 * g + 1] = dense.get(row, pattern.column(g, 1));
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
        int groupsPerRow = inFeatures() / 4;
        for (int g = 0; g < pattern.groups(); g++) {
            int row = g / groupsPerRow;
            m.data()[row * inFeatures() + pattern.column(g, 0)] = values[2 * g];
            m.data()[row * inFeatures() + pattern.column(g, 1)] = values[2 * g + 1];
        }
        return m;
    }

    @Override
    public String formatName() {
        return "2:4 fp32";
    }
}
