package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.format.CsrPattern;
import dev.sparseinfer.engine.format.TwoFourPattern;

/** Row pointers and column indices of kept weights, the layout the CPU's sparse kernels read. */
record CompressedRows(int[] rowPtr, int[] colIdx) {

    static CompressedRows of(CsrPattern p) {
        return new CompressedRows(p.rowPtr(), p.colIdx());
    }

    /** Expands 2-bit positions to column indices: every row keeps exactly half its columns, in group order. */
    static CompressedRows of(TwoFourPattern p) {
        int perRow = p.inFeatures() / 2;
        int[] rowPtr = new int[p.outFeatures() + 1];
        for (int o = 0; o <= p.outFeatures(); o++) {
            rowPtr[o] = o * perRow;
        }
        int[] cols = new int[2 * p.groups()];
        for (int g = 0; g < p.groups(); g++) {
            cols[2 * g] = p.column(g, 0);
            cols[2 * g + 1] = p.column(g, 1);
        }
        return new CompressedRows(rowPtr, cols);
    }
}
