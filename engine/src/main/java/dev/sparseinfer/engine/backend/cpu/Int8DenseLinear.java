package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.format.Int8Scheme;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense int8 weights with per-output scales, packed in panels of {@link PanelKernel#PANEL} outputs, each panel
 * input by input, one byte per weight: a quarter of fp32's memory traffic. For each block of
 * {@link PanelKernel#K_BLOCK} inputs, a panel's weights are widened to fp32 once into a per-thread buffer (16 KiB,
 * in L1), and the fp32 micro-kernel runs every row tile over it: widening in the micro-kernel would cost a
 * sign-extend and a convert per weight vector for every row tile, not once per block, and keep w8a8 below dense
 * fp32's speed ({@code LinearKernelBenchmark}, format w8a8). An input of at most 4 rows reads each weight once, so
 * it widens in registers, sparing the buffer's store and load. {@code w8}: the input stays fp32 and the sum is
 * scaled by the weight scale. {@code w8a8}: each token is first quantised to int8 (kept as exact small integers in
 * fp32), so the products are those of two int8 values, summed exactly in fp32 while a row's sum of |products| stays
 * below 2^24 (in any order, so the blocks change no bit), and rescaled by weight scale times token scale.
 */
final class Int8DenseLinear implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    /**
     * A byte per float lane, but at least 64 bits, the smallest vector shape: with 4-lane floats (128-bit vectors,
     * as on NEON) a load takes 8 bytes and widens the first 4, so {@link #packed} ends with padding for that overreach.
     */
    private static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * 8)));

    private static final int LOAD_OVERREACH = BYTES.length() - LANES;
    private static final int PANEL = PanelKernel.PANEL;
    private static final int K_BLOCK = PanelKernel.K_BLOCK;

    private final int out;
    private final int in;
    private final byte[] packed;
    private final float[] scales;
    private final float[] bias;
    /** What the micro-kernel adds to the first block's sums: nothing, the bias comes after the scales. */
    private final float[] zeros;

    private final boolean quantizeInput;

    Int8DenseLinear(int out, int in, byte[] weights, float[] scales, Int8Scheme scheme, float[] bias) {
        this.out = out;
        this.in = in;
        int panels = (out + PANEL - 1) / PANEL;
        this.packed = new byte[panels * in * PANEL + LOAD_OVERREACH];
        for (int o = 0; o < out; o++) {
            int base = (o / PANEL) * in * PANEL + o % PANEL;
            for (int i = 0; i < in; i++) {
                packed[base + i * PANEL] = weights[o * in + i];
            }
        }
        this.scales = Arrays.copyOf(scales, panels * PANEL);
        this.bias = Arrays.copyOf(bias, panels * PANEL);
        this.zeros = new float[panels * PANEL];
        this.quantizeInput = scheme == Int8Scheme.W8A8;
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
    public void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        float[] input = x;
        float[] tokenScales = null;
        if (quantizeInput) {
            input = Scratch.floats(Scratch.Use.QUANTIZED_INPUT, rows * in);
            tokenScales = Scratch.floats(Scratch.Use.TOKEN_SCALES, rows);
            for (int r = 0; r < rows; r++) {
                tokenScales[r] = VectorQuantizer.quantizeRow(x, r * in, in, input, r * in);
            }
        }
        int tiles = RowTiles.tiles(rows);
        float[] xp = Scratch.floats(Scratch.Use.PACKED_INPUT, tiles * RowTiles.ROWS * in);
        float[] tail = Scratch.floats(Scratch.Use.ROW, PANEL);
        RowTiles.pack(input, in, rows, tiles, xp);
        // Passes over each weight: one per row tile and one per row left over (none when the last tile is padded).
        int passes = tiles + Math.max(0, rows - tiles * RowTiles.ROWS);
        if (passes < 2) {
            // Each weight is read once: widening it in registers beats a store to and a load from the buffer.
            for (int o0 = outFrom; o0 < outTo; o0 += PANEL) {
                int w = (o0 / PANEL) * in * PANEL;
                if (tiles == 1) {
                    rows4(xp, w, Math.min(RowTiles.ROWS, rows), o0, tail, y);
                } else {
                    row1(input, w, o0, tail, y);
                }
            }
        } else {
            float[] wide = Scratch.floats(Scratch.Use.WIDE_WEIGHTS, K_BLOCK * PANEL);
            for (int k0 = 0; k0 < in; k0 += K_BLOCK) {
                int k1 = Math.min(in, k0 + K_BLOCK);
                boolean first = k0 == 0;
                // The micro-kernel reads input i at w + i * PANEL: the buffer holds inputs k0 .. k1-1 from 0.
                int w = -k0 * PANEL;
                for (int o0 = outFrom; o0 < outTo; o0 += PANEL) {
                    widen((o0 / PANEL) * in * PANEL + k0 * PANEL, (k1 - k0) * PANEL, wide);
                    for (int t = 0; t < tiles; t++) {
                        int r = t * RowTiles.ROWS;
                        PanelKernel.rows4(
                                wide,
                                w,
                                xp,
                                r * in,
                                r,
                                Math.min(RowTiles.ROWS, rows - r),
                                o0,
                                k0,
                                k1,
                                first,
                                zeros,
                                tail,
                                y,
                                out);
                    }
                    for (int r = tiles * RowTiles.ROWS; r < rows; r++) {
                        PanelKernel.row1(wide, w, input, r, in, o0, k0, k1, first, zeros, tail, y, out);
                    }
                }
            }
        }
        int to = Math.min(outTo, out);
        for (int r = 0; r < rows; r++) {
            rescale(y, r * out, outFrom, to, tokenScales == null ? 1f : tokenScales[r]);
            VectorEpilogue.apply(y, r * out + outFrom, to - outFrom, activation);
        }
    }

    /** {@code wide[0 .. count-1] = packed[from .. from+count-1]} as floats (exact), a vector at a time. */
    private void widen(int from, int count, float[] wide) {
        for (int i = 0; i < count; i += LANES) {
            lo(from + i).intoArray(wide, i);
        }
    }

    private FloatVector lo(int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, packed, at).convertShape(VectorOperators.B2F, SPECIES, 0);
    }

    /**
     * The first tile's {@code valid} rows (a whole input of 2 to 4 rows) against the panel at {@code w}, over all
     * inputs, widening each weight vector in registers.
     */
    private void rows4(float[] xp, int w, int valid, int o0, float[] tail, float[] y) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = FloatVector.zero(SPECIES);
        FloatVector a10 = FloatVector.zero(SPECIES), a11 = FloatVector.zero(SPECIES);
        FloatVector a20 = FloatVector.zero(SPECIES), a21 = FloatVector.zero(SPECIES);
        FloatVector a30 = FloatVector.zero(SPECIES), a31 = FloatVector.zero(SPECIES);
        for (int i = 0; i < in; i++) {
            int wi = w + i * PANEL;
            int xi = i * RowTiles.ROWS;
            FloatVector w0 = lo(wi);
            FloatVector w1 = lo(wi + LANES);
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
        store(a00, a01, 0, o0, tail, y);
        store(a10, a11, 1, o0, tail, y);
        if (valid > 2) {
            store(a20, a21, 2, o0, tail, y);
        }
        if (valid > 3) {
            store(a30, a31, 3, o0, tail, y);
        }
    }

    /** A one-row input against the panel at {@code w}: the inputs split four ways, eight FMA chains. */
    private void row1(float[] x, int w, int o0, float[] tail, float[] y) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = FloatVector.zero(SPECIES);
        FloatVector d0 = FloatVector.zero(SPECIES), d1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 3 < in; i += 4) {
            int wi = w + i * PANEL;
            FloatVector v = FloatVector.broadcast(SPECIES, x[i]);
            a0 = lo(wi).fma(v, a0);
            a1 = lo(wi + LANES).fma(v, a1);
            v = FloatVector.broadcast(SPECIES, x[i + 1]);
            b0 = lo(wi + PANEL).fma(v, b0);
            b1 = lo(wi + PANEL + LANES).fma(v, b1);
            v = FloatVector.broadcast(SPECIES, x[i + 2]);
            c0 = lo(wi + 2 * PANEL).fma(v, c0);
            c1 = lo(wi + 2 * PANEL + LANES).fma(v, c1);
            v = FloatVector.broadcast(SPECIES, x[i + 3]);
            d0 = lo(wi + 3 * PANEL).fma(v, d0);
            d1 = lo(wi + 3 * PANEL + LANES).fma(v, d1);
        }
        for (; i < in; i++) {
            int wi = w + i * PANEL;
            FloatVector v = FloatVector.broadcast(SPECIES, x[i]);
            a0 = lo(wi).fma(v, a0);
            a1 = lo(wi + LANES).fma(v, a1);
        }
        store(a0.add(b0).add(c0.add(d0)), a1.add(b1).add(c1.add(d1)), 0, o0, tail, y);
    }

    /**
     * Writes a panel's raw integer-valued sums; scales and bias follow in {@link #rescale}. Kept this small so C2
     * always inlines it: when it did not (a cold call site after the long loop), the accumulators were boxed.
     */
    private void store(FloatVector v0, FloatVector v1, int r, int o0, float[] tail, float[] y) {
        int at = r * out + o0;
        if (o0 + PANEL <= out) {
            v0.intoArray(y, at);
            v1.intoArray(y, at + LANES);
        } else {
            v0.intoArray(tail, 0);
            v1.intoArray(tail, LANES);
            System.arraycopy(tail, 0, y, at, out - o0);
        }
    }

    /**
     * {@code y[row + o] = y[row + o] * (scale[o] * tokenScale) + bias[o]} for {@code from <= o < to}. Scalar on
     * purpose: a few thousand multiply-adds per layer, and a Vector API loop this short boxes its vectors, allocating
     * on every call, wherever C2 has not compiled it with intrinsics.
     */
    private void rescale(float[] y, int row, int from, int to, float tokenScale) {
        for (int o = from; o < to; o++) {
            y[row + o] = y[row + o] * (scales[o] * tokenScale) + bias[o];
        }
    }
}
