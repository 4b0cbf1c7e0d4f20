package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** Dense int8 weights, {@code [out, in]} row-major, with per-output-channel scales. */
public record Int8Weights(int outFeatures, int inFeatures, byte[] values, Int8Scales scales) implements LinearWeights {

    public Int8Weights {
        if (outFeatures < 0 || inFeatures < 0 || (long) outFeatures * inFeatures != values.length) {
            throw SparseInferException.invalidModel(
                    "int8 matrix [" + outFeatures + ", " + inFeatures + "] cannot hold " + values.length + " values");
        }
        Int8Scales.checkLength(scales.scales(), outFeatures, "int8 weights");
        Int8Scales.checkValues(values, "int8 weights");
    }

    /** Quantises a dense matrix per output channel. */
    public static Int8Weights quantize(FloatMatrix dense, Int8Scheme scheme) {
        int out = dense.rows();
        int in = dense.cols();
        float[] scales = new float[out];
        byte[] q = new byte[dense.data().length];
        for (int o = 0; o < out; o++) {
            float max = 0;
            for (int i = 0; i < in; i++) {
                max = Math.max(max, Math.abs(dense.get(o, i)));
            }
            scales[o] = Int8Scales.scaleFor(max);
            for (int i = 0; i < in; i++) {
                q[o * in + i] = Int8Scales.quantize(dense.get(o, i), scales[o]);
            }
        }
        return new Int8Weights(out, in, q, new Int8Scales(scales, scheme));
    }

    @Override
    public long storedBytes() {
        return values.length + 4L * outFeatures;
    }

    @Override
    public FloatMatrix toDense() {
        FloatMatrix m = FloatMatrix.zeros(outFeatures, inFeatures);
        for (int o = 0; o < outFeatures; o++) {
            for (int i = 0; i < inFeatures; i++) {
                m.data()[o * inFeatures + i] = values[o * inFeatures + i] * scales.scales()[o];
            }
        }
        return m;
    }

    @Override
    public String formatName() {
        return "int8 " + scales.scheme().label();
    }
}
