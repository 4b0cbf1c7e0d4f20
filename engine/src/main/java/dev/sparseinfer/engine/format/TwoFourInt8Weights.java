package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** 2:4 structured-sparse int8 weights: a {@link TwoFourPattern}, 2 int8 per group, per-output-channel scales. */
public record TwoFourInt8Weights(TwoFourPattern pattern, byte[] values, Int8Scales scales) implements LinearWeights {

    public TwoFourInt8Weights {
        if (values.length != 2L * pattern.groups()) {
            throw SparseInferException.invalidModel(
                    "2:4 int8 has " + values.length + " values for " + pattern.groups() + " groups");
        }
        Int8Scales.checkLength(scales.scales(), pattern.outFeatures(), "2:4 int8 weights");
        Int8Scales.checkValues(values, "2:4 int8 weights");
    }

    /** Quantises 2:4 weights per output channel, keeping the pattern: one format, not two passes. */
    public static TwoFourInt8Weights quantize(TwoFourWeights w, Int8Scheme scheme) {
        int out = w.outFeatures();
        int perRow = w.inFeatures() / 2;
        float[] scales = new float[out];
        byte[] q = new byte[w.values().length];
        for (int o = 0; o < out; o++) {
            float max = 0;
            for (int k = o * perRow; k < (o + 1) * perRow; k++) {
                max = Math.max(max, Math.abs(w.values()[k]));
            }
            scales[o] = Int8Scales.scaleFor(max);
            for (int k = o * perRow; k < (o + 1) * perRow; k++) {
                q[k] = Int8Scales.quantize(w.values()[k], scales[o]);
            }
        }
        return new TwoFourInt8Weights(w.pattern(), q, new Int8Scales(scales, scheme));
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
        return values.length + pattern.meta().length + 4L * scales.scales().length;
    }

    /** The int8 values at their columns and zeros elsewhere, row-major {@code out x in}; the scales still apply. */
    public byte[] denseValues() {
        byte[] dense = new byte[outFeatures() * inFeatures()];
        for (int k = 0; k < values.length; k++) {
            dense[pattern.denseIndex(k)] = values[k];
        }
        return dense;
    }

    @Override
    public FloatMatrix toDense() {
        FloatMatrix m = FloatMatrix.zeros(outFeatures(), inFeatures());
        int perRow = inFeatures() / 2;
        for (int k = 0; k < values.length; k++) {
            m.data()[pattern.denseIndex(k)] = values[k] * scales.scales()[k / perRow];
        }
        return m;
    }

    @Override
    public String formatName() {
        return "2:4 int8 " + scales.scheme().label();
    }
}
