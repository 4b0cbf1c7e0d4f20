package dev.sparseinfer.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dense micro-kernel that fp32 and int8 layers share: fp32 weights of one panel of {@link #PANEL} outputs,
 * stored input by input ({@code w[at + i * PANEL + 0 .. PANEL-1]} for input {@code i}), times rows of the input
 * for inputs {@code k0 .. k1-1}, added to {@code y}. The first input block writes {@code firstBase + sums} (the bias
 * for fp32 layers, zeros for int8 ones, which scale and add their bias afterwards); later blocks add their sums to
 * what is there.
 *
 * <p>An outer product (as in BLIS/GotoBLAS): for each input it loads the panel's two weight vectors once and
 * multiplies them with four broadcast activations, keeping a 4 x PANEL block of outputs in 8 vector registers; no
 * horizontal reductions, and each weight load feeds four FMAs. Why 4 x 16 and not the 4 x 24 block that fills
 * AVX2's 16 registers exactly: C2 schedules all four broadcasts of an input ahead of the FMAs, so 4 x 24 needs 12
 * accumulators + 3 weights + 4 broadcasts = 19 registers and spilled three accumulators to the stack, each then a
 * load, FMA and store per input (seen in the generated code). 4 x 16 needs 14 and spills nothing
 * ({@code LinearKernelBenchmark}, format dense, shows what it reaches of {@code FmaPeakBenchmark}'s peak).
 */
final class PanelKernel {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    /** Outputs per panel: two vectors. */
    static final int PANEL = 2 * LANES;
    /**
     * Inputs per cache block: a panel's weights for one block (256 x 16 floats, 16 KiB) stay in L1 while every row
     * tile passes over them. Without blocking, each row tile would re-read a 1536-input panel (96 KiB) from L2 or
     * L3, and layers with many inputs would run far below the speed of narrow ones.
     */
    static final int K_BLOCK = 256;

    private PanelKernel() {}

    /**
     * Rows {@code r .. r+valid-1} of a {@link RowTiles} tile ({@code xp} from {@code xBase}) against the panel of
     * outputs {@code o0 ..}; a tile's padding rows are computed and not stored. y is {@code [rows, out]}.
     */
    static void rows4(
            float[] w,
            int at,
            float[] xp,
            int xBase,
            int r,
            int valid,
            int o0,
            int k0,
            int k1,
            boolean first,
            float[] firstBase,
            float[] tail,
            float[] y,
            int out) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = FloatVector.zero(SPECIES);
        FloatVector a10 = FloatVector.zero(SPECIES), a11 = FloatVector.zero(SPECIES);
        FloatVector a20 = FloatVector.zero(SPECIES), a21 = FloatVector.zero(SPECIES);
        FloatVector a30 = FloatVector.zero(SPECIES), a31 = FloatVector.zero(SPECIES);
        for (int i = k0; i < k1; i++) {
            int wi = at + i * PANEL;
            int xi = xBase + i * RowTiles.ROWS;
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, wi);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, wi + LANES);
            FloatVector b = FloatVector.broadcast(SPECIES, xp[xi]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            b = FloatVector.broadcast(SPECIES, xp[xi + 1]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            b = FloatVector.broadcast(SPECIES, xp[xi + 2]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            b = FloatVector.broadcast(SPECIES, xp[xi + 3]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
        }
        store(a00, a01, r, o0, first, firstBase, tail, y, out);
        store(a10, a11, r + 1, o0, first, firstBase, tail, y, out);
        if (valid > 2) {
            store(a20, a21, r + 2, o0, first, firstBase, tail, y, out);
        }
        if (valid > 3) {
            store(a30, a31, r + 3, o0, first, firstBase, tail, y, out);
        }
    }

    /**
     * One row of the row-major {@code x}: the inputs split four ways, so each accumulator gets an FMA every fourth
     * input and eight chains hide the FMA latency (with two ways, the loop would wait on its own results).
     */
    static void row1(
            float[] w,
            int at,
            float[] x,
            int r,
            int in,
            int o0,
            int k0,
            int k1,
            boolean first,
            float[] firstBase,
            float[] tail,
            float[] y,
            int out) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = FloatVector.zero(SPECIES);
        FloatVector d0 = FloatVector.zero(SPECIES), d1 = FloatVector.zero(SPECIES);
        int x0 = r * in;
        int i = k0;
        for (; i + 3 < k1; i += 4) {
            int wi = at + i * PANEL;
            FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + i]);
            a0 = FloatVector.fromArray(SPECIES, w, wi).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, w, wi + LANES).fma(v, a1);
            v = FloatVector.broadcast(SPECIES, x[x0 + i + 1]);
            b0 = FloatVector.fromArray(SPECIES, w, wi + PANEL).fma(v, b0);
            b1 = FloatVector.fromArray(SPECIES, w, wi + PANEL + LANES).fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[x0 + i + 2]);
            c0 = FloatVector.fromArray(SPECIES, w, wi + 2 * PANEL).fma(v, c0);
            c1 = FloatVector.fromArray(SPECIES, w, wi + 2 * PANEL + LANES).fma(v, c1);
            v = FloatVector.broadcast(SPECIES, x[x0 + i + 3]);
            d0 = FloatVector.fromArray(SPECIES, w, wi + 3 * PANEL).fma(v, d0);
            d1 = FloatVector.fromArray(SPECIES, w, wi + 3 * PANEL + LANES).fma(v, d1);
        }
        for (; i < k1; i++) {
            int wi = at + i * PANEL;
            FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + i]);
            a0 = FloatVector.fromArray(SPECIES, w, wi).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, w, wi + LANES).fma(v, a1);
        }
        store(a0.add(b0).add(c0.add(d0)), a1.add(b1).add(c1.add(d1)), r, o0, first, firstBase, tail, y, out);
    }

    /**
     * Writes {@code firstBase} plus the first input block's sums, then adds each later block's sums to what is
     * there. The last panel of a layer whose outputs are not a multiple of the panel goes through {@code tail}.
     * Small enough (under C2's 35-byte limit for call sites it deems cold) to be inlined wherever it is called: a
     * vector passed to a call that is not inlined is boxed, and C2 sometimes leaves a larger store out of line
     * after the kernel's loop.
     */
    private static void store(
            FloatVector acc0,
            FloatVector acc1,
            int r,
            int o0,
            boolean first,
            float[] firstBase,
            float[] tail,
            float[] y,
            int out) {
        acc0.intoArray(tail, 0);
        acc1.intoArray(tail, LANES);
        addTail(r, o0, first, firstBase, tail, y, out);
    }

    /** {@code y[r, o0 + j] = tail[j] + (first ? firstBase[o0 + j] : y[r, o0 + j])} for the panel's outputs in y. */
    private static void addTail(int r, int o0, boolean first, float[] firstBase, float[] tail, float[] y, int out) {
        int at = r * out + o0;
        float[] base = first ? firstBase : y;
        int from = first ? o0 : at;
        if (o0 + PANEL <= out) {
            FloatVector.fromArray(SPECIES, tail, 0)
                    .add(FloatVector.fromArray(SPECIES, base, from))
                    .intoArray(y, at);
            FloatVector.fromArray(SPECIES, tail, LANES)
                    .add(FloatVector.fromArray(SPECIES, base, from + LANES))
                    .intoArray(y, at + LANES);
        } else {
            for (int j = 0; j < out - o0; j++) {
                y[at + j] = tail[j] + base[from + j];
            }
        }
    }
}
