package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.PreparedLinear;

/** A linear layer whose weights are on the device, with the kernel {@link LinearKernel} chose for its format. */
sealed interface DeviceLinear extends PreparedLinear permits CublasLinear, CusparseLinear, TwoFourLinear, Int8Linear {

    /**
     * Enqueues {@code y = activation(x W^T + b)}: {@code x} fp32 {@code [tokens, in]}, {@code y} fp32
     * {@code [tokens, out]}; operand copies go to the arena's scratch block.
     */
    void forward(
            DeviceKernels kernels, ActivationArena arena, long x, int tokens, ActivationFunction activation, long y);

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
