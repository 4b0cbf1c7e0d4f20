package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * Where the kept weights of an unstructured-sparse {@code [out, in]} matrix are (compressed sparse rows): row
 * {@code o} keeps columns {@code colIdx[rowPtr[o] .. rowPtr[o+1]-1]}, strictly increasing. Validated on
 * construction: monotone row pointers that start at 0 and end at the number of kept values, in-range columns.
 */
public record CsrPattern(int outFeatures, int inFeatures, int[] colIdx, int[] rowPtr) {

    public CsrPattern {
        if (outFeatures < 0 || inFeatures < 0) {
            throw SparseInferException.invalidModel("CSR shape [" + outFeatures + ", " + inFeatures + "] is negative");
        }
        if (rowPtr.length != outFeatures + 1 || rowPtr[0] != 0 || rowPtr[outFeatures] != colIdx.length) {
            throw SparseInferException.invalidModel("CSR row pointers must have " + (outFeatures + 1)
                    + " entries from 0 to " + colIdx.length + "; got " + rowPtr.length + " entries");
        }
        for (int o = 0; o < outFeatures; o++) {
            if (rowPtr[o + 1] < rowPtr[o]) {
                throw SparseInferException.invalidModel("CSR row pointers decrease at row " + o);
            }
            for (int k = rowPtr[o]; k < rowPtr[o + 1]; k++) {
                if (colIdx[k] < 0 || colIdx[k] >= inFeatures || (k > rowPtr[o] && colIdx[k] <= colIdx[k - 1])) {
                    throw SparseInferException.invalidModel("CSR column index " + colIdx[k] + " at row " + o
                            + " is out of range [0, " + inFeatures + ") or not increasing");
                }
            }
        }
    }

    /** The pattern of the non-zero entries of a dense matrix. */
    public static CsrPattern ofNonZeros(FloatMatrix dense) {
        int[] rowPtr = new int[dense.rows() + 1];
        int nnz = 0;
        for (float v : dense.data()) {
            if (v != 0f) {
                nnz++;
            }
        }
        int[] cols = new int[nnz];
        int k = 0;
        for (int o = 0; o < dense.rows(); o++) {
            for (int i = 0; i < dense.cols(); i++) {
                if (dense.data()[o * dense.cols() + i] != 0f) {
                    cols[k++] = i;
                }
            }
            rowPtr[o + 1] = k;
        }
        return new CsrPattern(dense.rows(), dense.cols(), cols, rowPtr);
    }

    public int nonZeros() {
        return colIdx.length;
    }

    /** Bytes of the index arrays (int32 column indices and row pointers). */
    long indexBytes() {
        return 4L * colIdx.length + 4L * rowPtr.length;
    }
}
