package dev.sparseinfer.cuda;

/**
 * How a linear layer on fp16 operands (cuBLAS, cuSPARSE, the 2:4 kernels) computes what the CPU backend computes
 * for its format. fp weights: the input rounded to fp16, no rescale. int8 weights are uploaded as their integers
 * in fp16 (exact) with their per-output scales; under w8a8 each token is quantised by the CPU's rule to integers
 * (exact in fp16: {@code |q| <= 127}) with its scale. The fp32 sums of integer products are then exact, on the tensor
 * cores and in cuSPARSE as in the CPU's fp32 kernels, and the epilogue applies {@code sum * (weightScale *
 * tokenScale) + bias} as the CPU does.
 *
 * <p>Exact while every partial sum stays below 2^24 in magnitude, which up to 1040 inputs always holds
 * ({@code 1040 * 127 * 127 < 2^24}). A wider layer, such as MiniLM's 1536-input FFN output, can pass it only if
 * its products average over 10,900 in magnitude (token and weight both near full scale on most inputs); the CPU's
 * fp32 sums round there too, so splitting the sum on the device could not make the two agree bit for bit, and
 * both stay within fp32 rounding of the exact sum.
 *
 * @param weightScales device address of the per-output scales, 0 for fp weights
 * @param quantizeInput whether each token is quantised first (w8a8)
 */
record HalfOperands(long weightScales, boolean quantizeInput) {

    static final HalfOperands FLOAT = new HalfOperands(0, false);

    /** A layer's fp16 input in the arena's scratch block, and its token scales (0 for none). */
    record Input(long halves, long tokenScales) {}

    /** Writes {@code x} {@code [tokens, in]} as fp16 rows of {@code inPad}, zero-padded. */
    Input input(DeviceKernels kernels, ActivationArena arena, long x, int tokens, int in, int inPad) {
        long halfBytes = 2L * tokens * inPad;
        if (!quantizeInput) {
            long halves = arena.scratch(halfBytes);
            kernels.toHalfPadded(x, halves, tokens, in, inPad);
            return new Input(halves, 0);
        }
        long scalesAt = ActivationArena.aligned(halfBytes);
        long halves = arena.scratch(scalesAt + 4L * tokens);
        kernels.quantizeRowsToHalves(x, halves, halves + scalesAt, tokens, in, inPad);
        return new Input(halves, halves + scalesAt);
    }
}
