package dev.sparseinfer.engine.backend.cpu;

/** The activation layout of the 4-row dense micro-kernels. */
final class RowTiles {

    static final int ROWS = 4;

    private RowTiles() {
    }

    /**
     * Interleaves each tile of {@link #ROWS} rows of {@code x} ({@code [rows, in]}) input by input:
     * {@code xp[t][i][0..ROWS-1]}, so the micro-kernel's broadcasts per input read one contiguous run.
     */
    static void pack(float[] x, int in, int tiles, float[] xp) {
        for (int t = 0; t < tiles; t++) {
            int base = t * ROWS * in;
            for (int k = 0; k < ROWS; k++) {
                int row = (t * ROWS + k) * in;
                for (int i = 0; i < in; i++) {
                    xp[base + i * ROWS + k] = x[row + i];
                }
            }
        }
    }
}
