package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense fp32 weights packed once into panels of {@link #PANEL} consecutive outputs, each panel stored input by
 * input ({@code panel[i][0..PANEL-1]}), so the micro-kernel reads weights strictly sequentially. The micro-kernel
 * is an outer product (as in BLIS/GotoBLAS): for each input i it loads the panel's two weight vectors once and
 * multiplies them with four broadcast activations, keeping a 4 x PANEL block of outputs in 8 vector registers; no
 * horizontal reductions, and each weight load feeds four FMAs.
 *
 * <p>Why 4 x 16 and not the 4 x 24 block that fills AVX2's 16 registers exactly: C2 schedules all four broadcasts
 * of an input ahead of the FMAs, so 4 x 24 needs 12 accumulators + 3 weights + 4 broadcasts = 19 registers and
 * spilled three accumulators to the stack, each then a load, FMA and store per input (seen in the generated code).
 * 4 x 16 needs 14 and spills nothing; it ran 1.5-2x faster at 12 and 32 tokens on MiniLM's shapes.
 */
final class PackedDenseLinear implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Inputs per cache block: a panel's weights for one block (256 x 16 floats, 16 KiB) stay in L1 while every row
     * tile passes over them. Without blocking, a 1536-input panel (96 KiB) was re-read from L2/L3 by each row tile,
     * and layers with 1536 or 4096 inputs ran at a third or less of the speed of 384-input ones.
     */
    static final int K_BLOCK = 256;
    /** Outputs per panel: two vectors. */
    static final int PANEL = 2 * LANES;

    private final int out;
    private final int in;
    private final int panels;
    private final float[] packed;
    /** Bias padded to whole panels. */
    private final float[] bias;

    PackedDenseLinear(int out, int in, float[] weights, float[] bias) {
        this.out = out;
        this.in = in;
        this.panels = (out + PANEL - 1) / PANEL;
        this.packed = new float[panels * in * PANEL];
        for (int o = 0; o < out; o++) {
            for (int k0 = 0; k0 < in; k0 += K_BLOCK) {
                int k1 = Math.min(in, k0 + K_BLOCK);
                int base = blockStart(o / PANEL, k0, k1) + o % PANEL;
                for (int i = k0; i < k1; i++) {
                    packed[base + (i - k0) * PANEL] = weights[o * in + i];
                }
            }
        }
        this.bias = java.util.Arrays.copyOf(bias, panels * PANEL);
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outputAlignment() {
        return PANEL;
    }

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        int tiles = RowTiles.tiles(rows);
        float[] xp = Scratch.floats(Scratch.Use.PACKED_INPUT, tiles * RowTiles.ROWS * in);
        float[] tail = Scratch.floats(Scratch.Use.ROW, PANEL);
        RowTiles.pack(x, in, rows, tiles, xp);
        for (int k0 = 0; k0 < in; k0 += K_BLOCK) {
            int k1 = Math.min(in, k0 + K_BLOCK);
            boolean first = k0 == 0;
            for (int o0 = outFrom; o0 < outTo; o0 += PANEL) {
                int w = blockStart(o0 / PANEL, k0, k1) - k0 * PANEL;
                for (int t = 0; t < tiles; t++) {
                    int r = t * RowTiles.ROWS;
                    rows4(xp, r * in, r, Math.min(RowTiles.ROWS, rows - r), w, o0, k0, k1, first, tail, y);
                }
                for (int r = tiles * RowTiles.ROWS; r < rows; r++) {
                    row1(x, r, w, o0, k0, k1, first, tail, y);
                }
            }
        }
        int to = Math.min(outTo, out);
        for (int r = 0; r < rows; r++) {
            VectorEpilogue.apply(y, r * out + outFrom, to - outFrom, activation);
        }
    }

    /** Where panel {@code panel}'s weights for inputs {@code k0 .. k1-1} start in {@link #packed}. */
    private int blockStart(int panel, int k0, int k1) {
        return k0 * panels * PANEL + panel * (k1 - k0) * PANEL;
    }

    /** Rows {@code r .. r+valid-1} from one tile; a tile's padding rows are computed and not stored. */
    private void rows4(float[] xp, int xBase, int r, int valid, int w, int o0, int k0, int k1, boolean first,
                       float[] tail, float[] y) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = FloatVector.zero(SPECIES);
        FloatVector a10 = FloatVector.zero(SPECIES), a11 = FloatVector.zero(SPECIES);
        FloatVector a20 = FloatVector.zero(SPECIES), a21 = FloatVector.zero(SPECIES);
        FloatVector a30 = FloatVector.zero(SPECIES), a31 = FloatVector.zero(SPECIES);
        for (int i = k0; i < k1; i++) {
            int wi = w + i * PANEL;
            int xi = xBase + i * RowTiles.ROWS;
            FloatVector w0 = FloatVector.fromArray(SPECIES, packed, wi);
            FloatVector w1 = FloatVector.fromArray(SPECIES, packed, wi + LANES);
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
        store(a00, a01, r, o0, first, tail, y);
        store(a10, a11, r + 1, o0, first, tail, y);
        if (valid > 2) {
            store(a20, a21, r + 2, o0, first, tail, y);
        }
        if (valid > 3) {
            store(a30, a31, r + 3, o0, first, tail, y);
        }
    }

    /**
     * One row: the inputs split four ways, so each accumulator gets an FMA every fourth input and eight chains
     * hide the FMA latency (with two ways, the loop ran at one FMA per cycle, waiting on its own results).
     */
    private void row1(float[] x, int r, int w, int o0, int k0, int k1, boolean first, float[] tail, float[] y) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = FloatVector.zero(SPECIES);
        FloatVector d0 = FloatVector.zero(SPECIES), d1 = FloatVector.zero(SPECIES);
        int x0 = r * in;
        int i = k0;
        for (; i + 3 < k1; i += 4) {
            int wi = w + i * PANEL;
            FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + i]);
            a0 = FloatVector.fromArray(SPECIES, packed, wi).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, packed, wi + LANES).fma(v, a1);
            v = FloatVector.broadcast(SPECIES, x[x0 + i + 1]);
            b0 = FloatVector.fromArray(SPECIES, packed, wi + PANEL).fma(v, b0);
            b1 = FloatVector.fromArray(SPECIES, packed, wi + PANEL + LANES).fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[x0 + i + 2]);
            c0 = FloatVector.fromArray(SPECIES, packed, wi + 2 * PANEL).fma(v, c0);
            c1 = FloatVector.fromArray(SPECIES, packed, wi + 2 * PANEL + LANES).fma(v, c1);
            v = FloatVector.broadcast(SPECIES, x[x0 + i + 3]);
            d0 = FloatVector.fromArray(SPECIES, packed, wi + 3 * PANEL).fma(v, d0);
            d1 = FloatVector.fromArray(SPECIES, packed, wi + 3 * PANEL + LANES).fma(v, d1);
        }
        for (; i < k1; i++) {
            int wi = w + i * PANEL;
            FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + i]);
            a0 = FloatVector.fromArray(SPECIES, packed, wi).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, packed, wi + LANES).fma(v, a1);
        }
        store(a0.add(b0).add(c0.add(d0)), a1.add(b1).add(c1.add(d1)), r, o0, first, tail, y);
    }

    /**
     * Writes bias plus the first input block's sums, then adds each later block's sums to what is there. The last
     * panel of a layer whose outputs are not a multiple of the panel goes through {@code tail}.
     */
    private void store(FloatVector acc0, FloatVector acc1, int r, int o0, boolean first,
                       float[] tail, float[] y) {
        int at = r * out + o0;
        float[] base = bias;
        int from = o0;
        if (!first) {
            if (o0 + PANEL <= out) {
                base = y;
                from = at;
            } else {
                base = tail;
                System.arraycopy(y, at, base, 0, out - o0);
                from = 0;
            }
        }
        FloatVector v0 = acc0.add(FloatVector.fromArray(SPECIES, base, from));
        FloatVector v1 = acc1.add(FloatVector.fromArray(SPECIES, base, from + LANES));
        if (o0 + PANEL <= out) {
            v0.intoArray(y, at);
            v1.intoArray(y, at + LANES);
        } else {
            v0.intoArray(tail, 0);
            v1.intoArray(tail, LANES);
            System.arraycopy(tail, 0, y, at, out - o0);
        }
    }
}
