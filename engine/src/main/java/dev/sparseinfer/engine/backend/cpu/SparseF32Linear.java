package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sparse fp32 weights as compressed rows: CSR layers as stored, 2:4 layers with their 2-bit positions expanded
 * to column indices once at prepare time. Each output is a gathered dot product over its row's kept entries.
 */
record SparseF32Linear(int outFeatures, int inFeatures, int[] rowPtr, int[] colIdx, float[] values, float[] bias)
        implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        int lanes = SPECIES.length();
        for (int r = 0; r < rows; r++) {
            int xBase = r * inFeatures;
            for (int o = outFrom; o < outTo; o++) {
                int k = rowPtr[o];
                int end = rowPtr[o + 1];
                FloatVector acc = FloatVector.zero(SPECIES);
                for (; k + lanes <= end; k += lanes) {
                    FloatVector xv = FloatVector.fromArray(SPECIES, x, xBase, colIdx, k);
                    acc = FloatVector.fromArray(SPECIES, values, k).fma(xv, acc);
                }
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (; k < end; k++) {
                    s += values[k] * x[xBase + colIdx[k]];
                }
                y[r * outFeatures + o] = CpuEpilogue.apply(s + bias[o], activation);
            }
        }
    }
}
