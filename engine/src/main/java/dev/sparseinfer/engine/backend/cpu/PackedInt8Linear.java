package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activation;
import dev.sparseinfer.engine.format.Int8Scheme;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense int8 weights with per-output scales, packed in panels of {@link PanelKernel#PANEL} outputs, each panel
 * input by input, one byte per weight: a quarter of fp32's memory traffic. For each block of
 * {@link PanelKernel#K_BLOCK} inputs, a panel's weights are widened to fp32 once into a per-thread buffer (16 KiB,
 * in L1), and the fp32 micro-kernel runs every row tile over it. Widening in the micro-kernel instead, once per row
 * tile, cost a sign-extend and a convert per weight vector and tile: at 128 tokens w8a8 layers ran a third slower
 * than dense fp32, now at its speed. {@code w8}: the input stays fp32 and the sum is scaled by the weight scale.
 * {@code w8a8}: each token is first quantised to int8 (kept as exact small integers in fp32), so the products are
 * those of two int8 values, summed exactly in fp32 while a row's sum of |products| stays below 2^24 (in any order,
 * so the blocks change no bit), and rescaled by weight scale times token scale.
 */
final class PackedInt8Linear implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8));
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

    PackedInt8Linear(int out, int in, byte[] weights, float[] scales, Int8Scheme scheme, float[] bias) {
        this.out = out;
        this.in = in;
        int panels = (out + PANEL - 1) / PANEL;
        this.packed = new byte[panels * in * PANEL];
        for (int o = 0; o < out; o++) {
            int base = (o / PANEL) * in * PANEL + o % PANEL;
            for (int i = 0; i < in; i++) {
                packed[base + i * PANEL] = weights[o * in + i];
            }
        }
        this.scales = java.util.Arrays.copyOf(scales, panels * PANEL);
        this.bias = java.util.Arrays.copyOf(bias, panels * PANEL);
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
    public void compute(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
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
        float[] wide = Scratch.floats(Scratch.Use.WIDE_WEIGHTS, K_BLOCK * PANEL);
        RowTiles.pack(input, in, rows, tiles, xp);
        for (int k0 = 0; k0 < in; k0 += K_BLOCK) {
            int k1 = Math.min(in, k0 + K_BLOCK);
            boolean first = k0 == 0;
            // The micro-kernel reads input i at w + i * PANEL: the buffer holds inputs k0 .. k1-1 from 0.
            int w = -k0 * PANEL;
            for (int o0 = outFrom; o0 < outTo; o0 += PANEL) {
                widen((o0 / PANEL) * in * PANEL + k0 * PANEL, (k1 - k0) * PANEL, wide);
                for (int t = 0; t < tiles; t++) {
                    int r = t * RowTiles.ROWS;
                    PanelKernel.rows4(wide, w, xp, r * in, r, Math.min(RowTiles.ROWS, rows - r), o0, k0, k1, first,
                            zeros, tail, y, out);
                }
                for (int r = tiles * RowTiles.ROWS; r < rows; r++) {
                    PanelKernel.row1(wide, w, input, r, in, o0, k0, k1, first, zeros, tail, y, out);
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
            ((FloatVector) ByteVector.fromArray(BYTES, packed, from + i).convertShape(VectorOperators.B2F, SPECIES, 0))
                    .intoArray(wide, i);
        }
    }

    /**
     * {@code y[row + o] = y[row + o] * (scale[o] * tokenScale) + bias[o]} for {@code from <= o < to}. Scalar on
     * purpose: a few thousand multiply-adds per layer, and the Vector API version of this loop was seen boxing its
     * vectors (about 50 KB allocated per call) where C2 had not compiled it with intrinsics.
     */
    private void rescale(float[] y, int row, int from, int to, float tokenScale) {
        for (int o = from; o < to; o++) {
            y[row + o] = y[row + o] * (scales[o] * tokenScale) + bias[o];
        }
    }
}
