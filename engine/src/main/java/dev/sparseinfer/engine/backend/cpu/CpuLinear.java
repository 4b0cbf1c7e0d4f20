package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.PreparedLinear;

/**
 * A linear layer prepared for the CPU in one of the kernel layouts. {@link #compute} fills outputs
 * {@code outFrom..outTo-1} of every row, so the backend can split a layer's outputs across threads.
 */
interface CpuLinear extends PreparedLinear {

    /**
     * {@code y[r, o] = act(b[o] + sum_i x[r, i] * W[o, i])} for all rows and {@code outFrom <= o < outTo};
     * x is {@code [rows, inFeatures]}, y is {@code [rows, outFeatures]}.
     */
    void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y);

    /** The multiple of outputs a thread's share must start at (a kernel's panel width). */
    default int outputAlignment() {
        return 4;
    }
}
