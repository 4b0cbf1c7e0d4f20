package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** Unstructured-sparse int8 weights: a {@link CsrPattern}, one int8 per kept entry, per-output-channel scales. */
public record CsrInt8Weights(CsrPattern pattern, byte[] values, Int8Scales scales) implements LinearWeights {

    public CsrInt8Weights {
        if (values.length != pattern.nonZeros()) {
            throw SparseInferException.invalidModel(
                    "CSR int8 has " + values.length + " values for " + pattern.nonZeros() + " indices");
        }
        Int8Scales.checkLength(scales.scales(), pattern.outFeatures(), "CSR int8 weights");
        Int8Scales.checkValues(values, "CSR int8 weights");
    }

    /** Quantises CSR weights per output channel, keeping the sparsity pattern. */
    public static CsrInt8Weights quantize(CsrWeights csr, Int8Scheme scheme) {
        CsrPattern p = csr.pattern();
        float[] scales = new float[p.outFeatures()];
        byte[] q = new byte[csr.values().length];
        for (int o = 0; o < p.outFeatures(); o++) {
            float max = 0;
            for (int k = p.rowPtr()[o]; k < p.rowPtr()[o + 1]; k++) {
                max = Math.max(max, Math.abs(csr.values()[k]));
            }
            scales[o] = Int8Scales.scaleFor(max);
            for (int k = p.rowPtr()[o]; k < p.rowPtr()[o + 1]; k++) {
                q[k] = Int8Scales.quantize(csr.values()[k], scales[o]);
            }
        }
        return new CsrInt8Weights(p, q, new Int8Scales(scales, scheme));
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
        return values.length + pattern.indexBytes() + 4L * scales.scales().length;
    }

    @Override
    public FloatMatrix toDense() {
        FloatMatrix m = FloatMatrix.zeros(outFeatures(), inFeatures());
        for (int o = 0; o < outFeatures(); o++) {
            for (int k = pattern.rowPtr()[o]; k < pattern.rowPtr()[o + 1]; k++) {
                m.data()[o * inFeatures() + pattern.colIdx()[k]] = values[k] * scales.scales()[o];
            }
        }
        return m;
    }

    @Override
    public String formatName() {
        return "csr int8 " + scales.scheme().label();
    }
}
