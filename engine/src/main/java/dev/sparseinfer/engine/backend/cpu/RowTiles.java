package dev.sparseinfer.engine.backend.cpu;

/** The activation layout of the 4-row dense micro-kernels. */
final class RowTiles {

    static final int ROWS = 4;

    private RowTiles() {}

    /**
     * Tiles for {@code rows} rows: whole tiles, plus one padded tile for a remainder of 2 or 3 rows (one pass over
     * the weights for them instead of one per row); a single remaining row is left to a one-row kernel.
     */
    static int tiles(int rows) {
        return rows % ROWS >= 2 ? rows / ROWS + 1 : rows / ROWS;
    }

    /**
     * Interleaves each tile of {@link #ROWS} rows of {@code x} ({@code [rows, in]}) input by input:
     * {@code xp[t][i][0..ROWS-1]}, so the micro-kernel's broadcasts per input read one contiguous run; a padded
     * tile's missing rows are zeros.
     */
    static void pack(float[] x, int in, int rows, int tiles, float[] xp) {
        for (int t = 0; t < tiles; t++) {
            int base = t * ROWS * in;
            for (int k = 0; k < ROWS; k++) {
                int rowIndex = t * ROWS + k;
                if (rowIndex >= rows) {
                    for (int i = 0; i < in; i++) {
                        xp[base + i * ROWS + k] = 0f;
                    }
                    continue;
                }
                int row = rowIndex * in;
                for (int i = 0; i < in; i++) {
                    xp[base + i * ROWS + k] = x[row + i];
                }
            }
        }
    }
}
