package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** Unstructured-sparse fp32 weights: a {@link CsrPattern} and one value per kept entry. */
public record CsrWeights(CsrPattern pattern, float[] values) implements LinearWeights {

    public CsrWeights {
        if (values.length != pattern.nonZeros()) {
            throw SparseInferException.invalidModel(
                    "CSR has " + values.length + " values for " + pattern.nonZeros() + " indices");
        }
    }

    /** Keeps the non-zeros of a dense matrix. */
    public static CsrWeights fromDense(FloatMatrix dense) {
        CsrPattern pattern = CsrPattern.ofNonZeros(dense);
        float[] values = new float[pattern.nonZeros()];
        for (int o = 0, k = 0; o < dense.rows(); o++) {
            for (; k < pattern.rowPtr()[o + 1]; k++) {
                values[k] = dense.get(o, pattern.colIdx()[k]);
            }
        }
        return new CsrWeights(pattern, values);
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
        return 4L * values.length + pattern.indexBytes();
    }

    @Override
    public FloatMatrix toDense() {
        FloatMatrix m = FloatMatrix.zeros(outFeatures(), inFeatures());
        for (int o = 0; o < outFeatures(); o++) {
            for (int k = pattern.rowPtr()[o]; k < pattern.rowPtr()[o + 1]; k++) {
                m.data()[o * inFeatures() + pattern.colIdx()[k]] = values[k];
            }
        }
        return m;
    }

    @Override
    public String formatName() {
        return "csr fp32";
    }
}
