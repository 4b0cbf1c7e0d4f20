package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.format.CsrPattern;

/** Row pointers and column indices of kept weights, the layout the CPU's sparse kernels read. */
record CompressedRows(int[] rowPtr, int[] colIdx) {

    static CompressedRows of(CsrPattern p) {
        return new CompressedRows(p.rowPtr(), p.colIdx());
    }
}
