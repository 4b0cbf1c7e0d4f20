package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Arrays;

/** A named fp32 tensor of any rank, row-major, as a loader hands it over before it becomes a layer. */
public record FloatTensor(String name, int[] shape, float[] data) {

    public FloatTensor {
        shape = shape.clone();
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw SparseInferException.invalidModel(
                        name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
        }
        if (count != data.length) {
            throw SparseInferException.invalidModel(
                    name + ": shape " + Arrays.toString(shape) + " needs " + count + " values, got " + data.length);
        }
    }

    public int rank() {
        return shape.length;
    }

    /** This tensor as a matrix, after checking it is 2-D with the expected shape (-1 accepts any size). */
    public FloatMatrix matrix(int rows, int cols) {
        if (rank() != 2 || (rows >= 0 && shape[0] != rows) || (cols >= 0 && shape[1] != cols)) {
            throw SparseInferException.invalidModel(
                    name + ": expected shape [" + dim(rows) + ", " + dim(cols) + "], found " + Arrays.toString(shape));
        }
        return new FloatMatrix(shape[0], shape[1], data);
    }

    /** This tensor as a vector, after checking it is 1-D with the expected length (-1 accepts any). */
    public float[] vector(int length) {
        if (rank() != 1 || (length >= 0 && shape[0] != length)) {
            throw SparseInferException.invalidModel(
                    name + ": expected shape [" + dim(length) + "], found " + Arrays.toString(shape));
        }
        return data;
    }

    private static String dim(int d) {
        return d < 0 ? "?" : Integer.toString(d);
    }
}
