package dev.sparseinfer.cuda;

/**
 * Int8 rows as {@code si_int8_gemm} reads them: each row of {@code cols} int8 becomes {@code ceil(cols / 4)}
 * 32-bit words of four consecutive values, the first in the lowest byte (the byte order {@code __dp4a} pairs, and
 * the order {@code si_quantize_rows_int8} leaves activations in), zero-padded at the end of the row.
 */
final class Int8RowPacking {

    private Int8RowPacking() {}

    static int words(int cols) {
        return (cols + 3) / 4;
    }

    static int[] pack(byte[] values, int rows, int cols) {
        int words = words(cols);
        int[] packed = new int[rows * words];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                packed[r * words + c / 4] |= (values[r * cols + c] & 0xFF) << (8 * (c % 4));
            }
        }
        return packed;
    }
}
