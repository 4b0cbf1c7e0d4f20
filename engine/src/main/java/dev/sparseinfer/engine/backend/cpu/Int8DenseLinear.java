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
 * Dense int8 weights {@code [out, in]} with per-output-channel scales. {@code w8a8}: each input row is quantised
 * to int8 with its own scale, products are summed in int32, and the sum is rescaled by weight scale times
 * activation scale; {@code w8}: weights are widened to fp32 in registers and multiplied with the fp32 input.
 */
record Int8DenseLinear(int outFeatures, int inFeatures, byte[] weights, float[] scales, Int8Scheme scheme, float[] bias)
        implements CpuLinear {

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
        int vecEnd = inFeatures - inFeatures % LANES;
        for (int r = 0; r < rows; r++) {
            int xBase = r * inFeatures;
            for (int o = outFrom; o < outTo; o++) {
                int wBase = o * inFeatures;
                IntVector acc = IntVector.zero(INTS);
                int i = 0;
                for (; i < vecEnd; i += LANES) {
                    IntVector a = (IntVector) ByteVector.fromArray(BYTES, qx, xBase + i).convertShape(VectorOperators.B2I, INTS, 0);
                    IntVector b = (IntVector) ByteVector.fromArray(BYTES, weights, wBase + i).convertShape(VectorOperators.B2I, INTS, 0);
                    acc = acc.add(a.mul(b));
                }
                int sum = acc.reduceLanes(VectorOperators.ADD);
                for (; i < inFeatures; i++) {
                    sum += qx[xBase + i] * weights[wBase + i];
                }
                y[r * outFeatures + o] = CpuEpilogue.apply(sum * scales[o] * xScales[r] + bias[o], activation);
            }
        }
    }

    private void computeW8(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        int vecEnd = inFeatures - inFeatures % LANES;
        for (int r = 0; r < rows; r++) {
            int xBase = r * inFeatures;
            for (int o = outFrom; o < outTo; o++) {
                int wBase = o * inFeatures;
                FloatVector acc = FloatVector.zero(FLOATS);
                int i = 0;
                for (; i < vecEnd; i += LANES) {
                    FloatVector w = (FloatVector) ByteVector.fromArray(BYTES, weights, wBase + i).convertShape(VectorOperators.B2F, FLOATS, 0);
                    acc = w.fma(FloatVector.fromArray(FLOATS, x, xBase + i), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; i < inFeatures; i++) {
                    sum += weights[wBase + i] * x[xBase + i];
                }
                y[r * outFeatures + o] = CpuEpilogue.apply(sum * scales[o] + bias[o], activation);
            }
        }
    }
}
