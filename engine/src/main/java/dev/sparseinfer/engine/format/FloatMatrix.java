package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/** A row-major fp32 matrix: element (r, c) is {@code data[r * cols + c]}. */
public record FloatMatrix(int rows, int cols, float[] data) {

    public FloatMatrix {
        if (rows < 0 || cols < 0 || (long) rows * cols != data.length) {
            throw SparseInferException.invalidArgument(
                    "matrix of " + rows + "x" + cols + " cannot hold " + data.length + " values");
        }
    }

    public static FloatMatrix zeros(int rows, int cols) {
        return new FloatMatrix(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    public float get(int row, int col) {
        return data[row * cols + col];
    }

    /** The transpose, as a new matrix (used once at load time for weights stored [in, out]). */
    public FloatMatrix transpose() {
        float[] t = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = data[r * cols + c];
            }
        }
        return new FloatMatrix(cols, rows, t);
    }
}
