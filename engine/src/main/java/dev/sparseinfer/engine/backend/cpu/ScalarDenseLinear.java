package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;

/** Dense fp32 weights {@code [out, in]} run by the scalar kernels: the CPU backend without the Vector API. */
record ScalarDenseLinear(int outFeatures, int inFeatures, float[] weights, float[] bias, ScalarCpuKernels kernels)
        implements CpuLinear {

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        kernels.linear(x, rows, inFeatures, weights, bias, outFeatures, outFrom, outTo, activation, y);
    }
}
