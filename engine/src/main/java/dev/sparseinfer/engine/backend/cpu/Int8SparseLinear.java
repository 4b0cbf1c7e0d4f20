package dev.sparseinfer.engine.backend.cpu;

import static dev.sparseinfer.engine.backend.cpu.Int8Vectors.BYTES;
import static dev.sparseinfer.engine.backend.cpu.Int8Vectors.FLOATS;
import static dev.sparseinfer.engine.backend.cpu.Int8Vectors.INTS;
import static dev.sparseinfer.engine.backend.cpu.Int8Vectors.LANES;

import dev.sparseinfer.engine.backend.Activation;
import dev.sparseinfer.engine.format.Int8Scheme;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Sparse int8 weights as compressed rows (CSR as stored, 2:4 with positions expanded to columns at prepare time),
 * per-output-channel scales, {@code w8a8} or {@code w8} as in {@link Int8DenseLinear}; inputs are gathered by
 * column index.
 */
record Int8SparseLinear(int outFeatures, int inFeatures, int[] rowPtr, int[] colIdx, byte[] values, float[] scales,
                        Int8Scheme scheme, float[] bias) implements CpuLinear {

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        if (scheme == Int8Scheme.W8A8) {
            computeW8A8(x, rows, outFrom, outTo, activation, y);
        } else {
            computeW8(x, rows, outFrom, outTo, activation, y);
        }
    }

    private void computeW8A8(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        byte[] qx = new byte[rows * inFeatures];
        float[] xScales = new float[rows];
        for (int r = 0; r < rows; r++) {
            xScales[r] = ActivationQuantizer.quantizeRow(x, r * inFeatures, inFeatures, qx, r * inFeatures);
        }
        for (int r = 0; r < rows; r++) {
            int xBase = r * inFeatures;
            for (int o = outFrom; o < outTo; o++) {
                int k = rowPtr[o];
                int end = rowPtr[o + 1];
                IntVector acc = IntVector.zero(INTS);
                for (; k + LANES <= end; k += LANES) {
                    IntVector a = (IntVector) ByteVector.fromArray(BYTES, qx, xBase, colIdx, k).convertShape(VectorOperators.B2I, INTS, 0);
                    IntVector b = (IntVector) ByteVector.fromArray(BYTES, values, k).convertShape(VectorOperators.B2I, INTS, 0);
                    acc = acc.add(a.mul(b));
                }
                int sum = acc.reduceLanes(VectorOperators.ADD);
                for (; k < end; k++) {
                    sum += qx[xBase + colIdx[k]] * values[k];
                }
                y[r * outFeatures + o] = CpuEpilogue.apply(sum * scales[o] * xScales[r] + bias[o], activation);
            }
        }
    }

    private void computeW8(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        for (int r = 0; r < rows; r++) {
            int xBase = r * inFeatures;
            for (int o = outFrom; o < outTo; o++) {
                int k = rowPtr[o];
                int end = rowPtr[o + 1];
                FloatVector acc = FloatVector.zero(FLOATS);
                for (; k + LANES <= end; k += LANES) {
                    FloatVector w = (FloatVector) ByteVector.fromArray(BYTES, values, k).convertShape(VectorOperators.B2F, FLOATS, 0);
                    acc = w.fma(FloatVector.fromArray(FLOATS, x, xBase, colIdx, k), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; k < end; k++) {
                    sum += values[k] * x[xBase + colIdx[k]];
                }
                y[r * outFeatures + o] = CpuEpilogue.apply(sum * scales[o] + bias[o], activation);
            }
        }
    }
}
