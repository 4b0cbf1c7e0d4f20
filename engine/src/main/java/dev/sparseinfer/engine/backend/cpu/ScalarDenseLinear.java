package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * Weights {@code [out, in]} of any format, expanded to dense fp32 and run by the scalar kernels: the CPU backend
 * without the Vector API. A w8a8 layer first quantises each token as its int8 kernels do, so the fallback computes
 * the same arithmetic as they do, to float rounding.
 */
record ScalarDenseLinear(
        int outFeatures,
        int inFeatures,
        float[] weights,
        float[] bias,
        boolean quantizesActivations,
        ScalarCpuKernels kernels)
        implements CpuLinear {

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        float[] input = quantizesActivations ? quantized(x, rows) : x;
        kernels.linear(input, rows, inFeatures, weights, bias, outFeatures, outFrom, outTo, activation, y);
    }

    /** Each token's values as its int8 codes times its scale: what the int8 kernels multiply. */
    private float[] quantized(float[] x, int rows) {
        float[] out = new float[rows * inFeatures];
        byte[] codes = new byte[inFeatures];
        for (int r = 0; r < rows; r++) {
            float scale = ActivationQuantizer.quantizeRow(x, r * inFeatures, inFeatures, codes, 0);
            for (int i = 0; i < inFeatures; i++) {
                out[r * inFeatures + i] = codes[i] * scale;
            }
        }
        return out;
    }
}
