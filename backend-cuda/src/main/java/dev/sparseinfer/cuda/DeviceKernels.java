package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.kernels.KernelName;

/**
 * One method per kernel: the launch geometry each kernel's comment block prescribes and its arguments in
 * declaration order. Addresses are device addresses; sizes are element counts.
 */
final class DeviceKernels {

    /**
     * Dynamic shared memory a block may use without opting in (48 KiB on every device since sm_80, static shared
     * memory included: the reductions' 128-byte scratch, with room to spare).
     */
    static final int SHARED_LIMIT = 48 * 1024 - 512;

    private static final int ELEMENTWISE_BLOCK = 256;
    /** Grid-stride kernels need no more blocks than keep every SM busy; this is plenty up to H200. */
    private static final int ELEMENTWISE_MAX_BLOCKS = 4096;

    private static final int ROW_BLOCK = 256;
    private static final int ATTENTION_BLOCK = 128;

    private final KernelLauncher launcher;

    DeviceKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void toHalfPadded(long x, long y, int rows, int cols, int colsPad) {
        launcher.launch(
                KernelName.F32_TO_F16_PADDED,
                elementwise((long) rows * colsPad),
                new KernelArguments()
                        .pointer(x)
                        .pointer(y)
                        .integer(rows)
                        .integer(cols)
                        .integer(colsPad));
    }

    /** {@code weightScales} 0 for fp weights (no rescale), {@code tokenScales} 0 for a token scale of 1. */
    void biasActivation(long y, long bias, long weightScales, long tokenScales, int rows, int cols, boolean gelu) {
        launcher.launch(
                KernelName.BIAS_ACTIVATION,
                elementwise((long) rows * cols),
                new KernelArguments()
                        .pointer(y)
                        .pointer(bias)
                        .pointer(weightScales)
                        .pointer(tokenScales)
                        .integer(rows)
                        .integer(cols)
                        .integer(gelu ? 1 : 0));
    }

    void embed(
            long ids,
            long types,
            long positions,
            long word,
            long position,
            long type,
            long out,
            int tokens,
            int width) {
        launcher.launch(
                KernelName.EMBED,
                elementwise((long) tokens * width),
                new KernelArguments()
                        .pointer(ids)
                        .pointer(types)
                        .pointer(positions)
                        .pointer(word)
                        .pointer(position)
                        .pointer(type)
                        .pointer(out)
                        .integer(tokens)
                        .integer(width));
    }

    /** {@code residual} 0 for none. */
    void addLayerNorm(long x, long residual, long gamma, long beta, long out, int rows, int cols, float eps) {
        launcher.launch(
                KernelName.ADD_LAYERNORM,
                LaunchGeometry.grid(rows, 1, ROW_BLOCK, rowShared(cols)),
                new KernelArguments()
                        .pointer(x)
                        .pointer(residual)
                        .pointer(gamma)
                        .pointer(beta)
                        .pointer(out)
                        .integer(cols)
                        .real(eps));
    }

    void pool(
            long x, long starts, long lengths, long out, int sequences, int cols, Pooling pooling, boolean normalize) {
        launcher.launch(
                KernelName.POOL,
                LaunchGeometry.grid(sequences, 1, ROW_BLOCK, rowShared(cols)),
                new KernelArguments()
                        .pointer(x)
                        .pointer(starts)
                        .pointer(lengths)
                        .pointer(out)
                        .integer(cols)
                        .integer(poolingMode(pooling))
                        .integer(normalize ? 1 : 0));
    }

    /** The kernel's {@code SI_POOL_*} constant for a pooling (norms.cu). */
    static int poolingMode(Pooling pooling) {
        return switch (pooling) {
            case CLS -> 0;
            case MEAN -> 1;
            case MAX -> 2;
            case LAST_TOKEN -> 3;
        };
    }

    /** {@code seqStart} / {@code seqLength}: per token, its sequence's first token and length. */
    void attention(
            long q,
            long k,
            long v,
            long out,
            long seqStart,
            long seqLength,
            int tokens,
            int heads,
            int hidden,
            int headDim,
            int longestSequence,
            float scale) {
        long shared = 4L * (headDim + longestSequence);
        if (shared > SHARED_LIMIT) {
            throw new SparseInferException(
                    SparseInferException.Code.INVALID_ARGUMENT,
                    "cuda: attention over "
                            + longestSequence + " tokens needs " + shared + " bytes of shared memory, more than "
                            + SHARED_LIMIT);
        }
        launcher.launch(
                KernelName.ATTENTION,
                LaunchGeometry.grid(tokens, heads, ATTENTION_BLOCK, (int) shared),
                new KernelArguments()
                        .pointer(q)
                        .pointer(k)
                        .pointer(v)
                        .pointer(out)
                        .pointer(seqStart)
                        .pointer(seqLength)
                        .integer(hidden)
                        .integer(headDim)
                        .real(scale));
    }

    /**
     * {@code x} fp16 {@code [tokens, kSteps * 32]}; weights in {@link TwoFourFragmentLayout} order; scales as for
     * {@link #biasActivation}.
     */
    void twoFour(
            KernelName kernel,
            long values,
            long meta,
            long x,
            long bias,
            long weightScales,
            long tokenScales,
            long y,
            int tokens,
            int outFeatures,
            int rowTiles,
            int kSteps,
            boolean gelu) {
        LaunchGeometry geometry = switch (kernel) {
            // One block of 4 warps per row tile, the warps splitting K.
            case TWOFOUR_SMALL_N -> LaunchGeometry.grid(rowTiles, 1, 128, 0);
            // 4 warps = 4 row tiles x 64 tokens per block.
            case TWOFOUR_GEMM -> LaunchGeometry.grid(ceilDiv(rowTiles, 4), ceilDiv(tokens, 64), 128, 0);
            default -> throw new IllegalArgumentException(kernel + " is not a 2:4 kernel");
        };
        launcher.launch(
                kernel,
                geometry,
                new KernelArguments()
                        .pointer(values)
                        .pointer(meta)
                        .pointer(x)
                        .pointer(bias)
                        .pointer(weightScales)
                        .pointer(tokenScales)
                        .pointer(y)
                        .integer(tokens)
                        .integer(outFeatures)
                        .integer(kSteps)
                        .integer(gelu ? 1 : 0));
    }

    /** {@code q} int8 {@code [rows, colsPad]} (colsPad a multiple of 4), {@code scales} fp32 {@code [rows]}. */
    void quantizeRows(long x, long q, long scales, int rows, int cols, int colsPad) {
        launcher.launch(
                KernelName.QUANTIZE_ROWS_INT8,
                LaunchGeometry.grid(rows, 1, ROW_BLOCK, 0),
                new KernelArguments()
                        .pointer(x)
                        .pointer(q)
                        .pointer(scales)
                        .integer(cols)
                        .integer(colsPad));
    }

    /** The same integers as {@link #quantizeRows}, as fp16 {@code [rows, colsPad]}. */
    void quantizeRowsToHalves(long x, long q, long scales, int rows, int cols, int colsPad) {
        launcher.launch(
                KernelName.QUANTIZE_ROWS_HALF,
                LaunchGeometry.grid(rows, 1, ROW_BLOCK, 0),
                new KernelArguments()
                        .pointer(x)
                        .pointer(q)
                        .pointer(scales)
                        .integer(cols)
                        .integer(colsPad));
    }

    /** 32 tokens x 32 outputs per block of 256 threads. */
    void int8Gemm(
            long w,
            long wScale,
            long qx,
            long xScale,
            long bias,
            long y,
            int tokens,
            int outFeatures,
            int kWords,
            boolean gelu) {
        launcher.launch(
                KernelName.INT8_GEMM,
                LaunchGeometry.grid(ceilDiv(outFeatures, 32), ceilDiv(tokens, 32), 256, 0),
                new KernelArguments()
                        .pointer(w)
                        .pointer(wScale)
                        .pointer(qx)
                        .pointer(xScale)
                        .pointer(bias)
                        .pointer(y)
                        .integer(tokens)
                        .integer(outFeatures)
                        .integer(kWords)
                        .integer(gelu ? 1 : 0));
    }

    private static LaunchGeometry elementwise(long total) {
        int blocks = (int)
                Math.max(1, Math.min(ELEMENTWISE_MAX_BLOCKS, (total + ELEMENTWISE_BLOCK - 1) / ELEMENTWISE_BLOCK));
        return LaunchGeometry.grid(blocks, 1, ELEMENTWISE_BLOCK, 0);
    }

    private static int rowShared(int cols) {
        long shared = 4L * cols;
        if (shared > SHARED_LIMIT) {
            throw new SparseInferException(
                    SparseInferException.Code.INVALID_ARGUMENT,
                    "cuda: rows of " + cols + " features do not fit a block's shared memory");
        }
        return (int) shared;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
