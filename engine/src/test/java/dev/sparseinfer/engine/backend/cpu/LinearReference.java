package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * The float64 oracle for {@code activation(x W^T + b)}: each output, and the sum of the magnitudes of the terms it
 * adds up (bias included), which is what a float32 kernel's rounding error scales with.
 */
public record LinearReference(double[] values, double[] termMagnitudes) {

    public static LinearReference compute(
            float[] x, int rows, int in, float[] w, float[] bias, int out, ActivationFunction activation) {
        double[] values = new double[rows * out];
        double[] magnitudes = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double sum = bias[o];
                double magnitude = Math.abs(bias[o]);
                for (int i = 0; i < in; i++) {
                    double term = (double) x[r * in + i] * w[o * in + i];
                    sum += term;
                    magnitude += Math.abs(term);
                }
                values[r * out + o] = ScalarCpuKernels.activate(sum, activation);
                magnitudes[r * out + o] = magnitude;
            }
        }
        return new LinearReference(values, magnitudes);
    }
}
