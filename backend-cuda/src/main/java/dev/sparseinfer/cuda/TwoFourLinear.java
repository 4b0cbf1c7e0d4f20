package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * 2:4 fp16 weights in {@link TwoFourFragmentLayout} order on the sparse tensor cores; int8 ones as their integers,
 * scaled in the epilogue, with w8a8 activations quantised per token ({@link HalfOperands}). The activations become
 * fp16 rows of {@code kSteps * 32} halves, zero-padded, because the kernels step through K in whole steps of 32.
 */
record TwoFourLinear(
        int outFeatures,
        int inFeatures,
        long values,
        long meta,
        long bias,
        HalfOperands operands,
        int rowTiles,
        int kSteps)
        implements DeviceLinear {

    @Override
    public void forward(
            DeviceKernels kernels, ActivationArena arena, long x, int tokens, ActivationFunction activation, long y) {
        int kPad = kSteps * 32;
        HalfOperands.Input input = operands.input(kernels, arena, x, tokens, inFeatures, kPad);
        kernels.twoFour(
                LinearKernel.twoFourKernel(tokens),
                values,
                meta,
                input.halves(),
                bias,
                operands.weightScales(),
                input.tokenScales(),
                y,
                tokens,
                outFeatures,
                rowTiles,
                kSteps,
                activation == ActivationFunction.GELU);
    }
}
