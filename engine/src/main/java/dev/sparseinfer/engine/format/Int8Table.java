package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * An embedding table stored as int8 with one fp32 scale per row (symmetric: entry {@code (r, c)} is
 * {@code values[r * cols + c] * scales[r]}, values in [-127, 127]). A row is one token's or position's vector, so a
 * per-row scale follows that vector's own range, the way per-output-channel scales follow a linear layer's rows.
 * Tables are only stored this way: they are dequantised to fp32 when a model is loaded, so no backend sees them.
 */
public record Int8Table(int rows, int cols, byte[] values, float[] scales) {

    public Int8Table {
        if (rows < 0 || cols < 0 || (long) rows * cols != values.length) {
            throw SparseInferException.invalidModel(
                    "int8 table of " + rows + "x" + cols + " holds " + values.length + " values");
        }
        if (scales.length != rows) {
            throw SparseInferException.invalidModel("int8 table: " + scales.length + " scales for " + rows + " rows");
        }
        Int8Scales.checkValues(values, "int8 table");
        Int8Scales.checkFinite(scales, "row");
    }

    /** Quantises each row with the scale that maps its largest magnitude to 127. */
    public static Int8Table quantize(FloatTable table) {
        int rows = table.rows();
        int cols = table.cols();
        byte[] values = new byte[Math.multiplyExact(rows, cols)];
        float[] scales = new float[rows];
        for (int r = 0; r < rows; r++) {
            float maxAbs = 0f;
            for (int c = 0; c < cols; c++) {
                maxAbs = Math.max(maxAbs, Math.abs(table.get(r, c)));
            }
            float scale = Int8Scales.scaleFor(maxAbs);
            scales[r] = scale;
            for (int c = 0; c < cols; c++) {
                values[r * cols + c] = Int8Scales.quantize(table.get(r, c), scale);
            }
        }
        return new Int8Table(rows, cols, values, scales);
    }

    /** The fp32 heap table a loaded model uses. */
    public FloatTable dequantize() {
        float[] data = new float[values.length];
        for (int r = 0; r < rows; r++) {
            float scale = scales[r];
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                data[base + c] = values[base + c] * scale;
            }
        }
        return FloatTable.of(new FloatMatrix(rows, cols, data));
    }

    /** Bytes a table of this shape takes in a file: one per entry, four per row scale. */
    public static long storedBytes(int rows, int cols) {
        return (long) rows * cols + 4L * rows;
    }
}
