package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * 2:4 fp16 weights in {@link TwoFourFragmentLayout} order on the sparse tensor cores. The activations are
 * converted to fp16 rows of {@code kSteps * 32} halves, zero-padded, because the kernels step through K in
 * whole steps of 32.
 */
record TwoFourLinear(int outFeatures, int inFeatures, long values, long meta, long bias, int rowTiles, int kSteps)
        implements DeviceLinear {

    @Override
    public void forward(DeviceKernels kernels, ActivationArena arena, long x, int tokens, ActivationFunction activation,
                        long y) {
        int kPad = kSteps * 32;
        long x16 = arena.scratch(2L * tokens * kPad);
        kernels.toHalfPadded(x, x16, tokens, inFeatures, kPad);
        kernels.twoFour(LinearKernel.twoFourKernel(tokens), values, meta, x16, bias, y, tokens, outFeatures,
                rowTiles, kSteps, activation == ActivationFunction.GELU);
    }
}
