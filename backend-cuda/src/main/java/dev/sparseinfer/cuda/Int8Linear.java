package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * w8a8: int8 weights packed by {@link Int8RowPacking}, activations quantised per token on the device right
 * before the dp4a GEMM, whose epilogue applies both scales, the bias and the activation.
 */
record Int8Linear(int outFeatures, int inFeatures, long weights, long weightScales, long bias) implements DeviceLinear {

    @Override
    public void forward(
            DeviceKernels kernels, ActivationArena arena, long x, int tokens, ActivationFunction activation, long y) {
        int kWords = Int8RowPacking.words(inFeatures);
        long quantisedBytes = ActivationArena.aligned(4L * tokens * kWords);
        long quantised = arena.scratch(quantisedBytes + 4L * tokens);
        long scales = quantised + quantisedBytes;
        kernels.quantizeRows(x, quantised, scales, tokens, inFeatures, 4 * kWords);
        kernels.int8Gemm(
                weights,
                weightScales,
                quantised,
                scales,
                bias,
                y,
                tokens,
                outFeatures,
                kWords,
                activation == ActivationFunction.GELU);
    }
}
