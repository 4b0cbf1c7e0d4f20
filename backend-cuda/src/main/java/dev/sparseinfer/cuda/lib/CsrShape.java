package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * What a CSR product is prepared for: {@code W} is {@code out x in} with {@code nonZeros} stored values, multiplied
 * by up to {@code maxTokens} activation rows. cuSPARSE's SpMM wants the sparse and the dense input of one type; with
 * fp32 compute and an fp32 output it takes fp16 or fp32 for both.
 */
record CsrShape(int out, int in, int nonZeros, DataType valueType, DataType inputType, int maxTokens) {

    CsrShape {
        if (out < 1 || in < 1 || maxTokens < 1) {
            throw SparseInferException.invalidArgument(
                    "cuda: a CSR product needs out, in and maxTokens of at least 1, got " + out + ", " + in + " and "
                            + maxTokens);
        }
        if (nonZeros < 0 || nonZeros > (long) out * in) {
            throw SparseInferException.invalidArgument(
                    "cuda: a " + out + "x" + in + " CSR matrix cannot hold " + nonZeros + " values");
        }
        if (valueType != inputType || (valueType != DataType.F16 && valueType != DataType.F32)) {
            throw SparseInferException.invalidArgument("cuda: cuSPARSE multiplies CSR values and activations of one "
                    + "type, fp16 or fp32; got " + valueType + " values and " + inputType + " activations");
        }
    }

    /** Checks a call's token count against the plan. */
    void checkTokens(int tokens) {
        if (tokens < 1 || tokens > maxTokens) {
            throw SparseInferException.invalidArgument(
                    "cuda: a CSR product prepared for 1 to " + maxTokens + " tokens was given " + tokens);
        }
    }
}
