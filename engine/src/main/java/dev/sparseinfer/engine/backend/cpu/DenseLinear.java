package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import java.util.Arrays;

/**
 * Dense fp32 weights packed once into panels of {@link PanelKernel#PANEL} consecutive outputs, stored block of
 * {@link PanelKernel#K_BLOCK} inputs by block and, within a block, panel after panel, each input by input
 * ({@code panel[i][0..PANEL-1]}): the order {@link PanelKernel} reads them in, so a layer's weights are read
 * strictly sequentially.
 */
final class DenseLinear implements CpuLinear {

    private static final int K_BLOCK = PanelKernel.K_BLOCK;
    private static final int PANEL = PanelKernel.PANEL;

    private final int out;
    private final int in;
    private final int panels;
    private final float[] packed;
    /** Bias padded to whole panels. */
    private final float[] bias;

    DenseLinear(int out, int in, float[] weights, float[] bias) {
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
        this.bias = Arrays.copyOf(bias, panels * PANEL);
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
                    PanelKernel.rows4(
                            packed,
                            w,
                            xp,
                            r * in,
                            r,
                            Math.min(RowTiles.ROWS, rows - r),
                            o0,
                            k0,
                            k1,
                            first,
                            bias,
                            tail,
                            y,
                            out);
                }
                for (int r = tiles * RowTiles.ROWS; r < rows; r++) {
                    PanelKernel.row1(packed, w, x, r, in, o0, k0, k1, first, bias, tail, y, out);
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
}
