package dev.sparseinfer.models.train;

/**
 * The kept entries of a pruned weight matrix ({@code rows x cols}, row-major), listed twice: by row, for the
 * forward product and the weight gradient, and by column, for the input gradient. Each list names, per entry, the
 * other coordinate and the entry's index in the dense value array, so the products read the weights in place.
 *
 * @param rowStart   entries of row {@code r} are {@code [rowStart[r], rowStart[r + 1])} of {@code rowCols}
 * @param rowCols    each entry's column, by row
 * @param rowIndex   each entry's index in the value array, by row
 * @param colStart   entries of column {@code c} are {@code [colStart[c], colStart[c + 1])} of {@code colRows}
 * @param colRows    each entry's row, by column
 * @param colIndex   each entry's index in the value array, by column
 */
record SparseMask(
        int rows,
        int cols,
        int[] rowStart,
        int[] rowCols,
        int[] rowIndex,
        int[] colStart,
        int[] colRows,
        int[] colIndex) {

    /** The entries {@code pruned} leaves, in row-major order by row and in row order within each column. */
    static SparseMask of(boolean[] pruned, int rows, int cols) {
        int[] rowStart = new int[rows + 1];
        int[] colStart = new int[cols + 1];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (!pruned[r * cols + c]) {
                    rowStart[r + 1]++;
                    colStart[c + 1]++;
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            rowStart[r + 1] += rowStart[r];
        }
        for (int c = 0; c < cols; c++) {
            colStart[c + 1] += colStart[c];
        }
        int kept = rowStart[rows];
        int[] rowCols = new int[kept];
        int[] rowIndex = new int[kept];
        int[] colRows = new int[kept];
        int[] colIndex = new int[kept];
        int[] colFill = colStart.clone();
        int j = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (!pruned[i]) {
                    rowCols[j] = c;
                    rowIndex[j++] = i;
                    colRows[colFill[c]] = r;
                    colIndex[colFill[c]++] = i;
                }
            }
        }
        return new SparseMask(rows, cols, rowStart, rowCols, rowIndex, colStart, colRows, colIndex);
    }

    int kept() {
        return rowStart[rows];
    }

    /** The fraction of entries kept. */
    double density() {
        return (double) kept() / ((long) rows * cols);
    }
}
