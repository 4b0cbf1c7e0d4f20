package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.CsrMatMul;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.cuda.lib.DataType;
import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * fp16 CSR weights through cuSPARSE's SpMM; int8 ones as their integers, scaled in the epilogue, with w8a8
 * activations quantised per token ({@link HalfOperands}). The plan is made for a number of tokens and remade, twice
 * as large, when a batch outgrows it. Queued work and recorded CUDA graphs may hold the old plan's buffers, so
 * {@code onReplan} runs first (it drains the stream and drops the graphs); a graph is only recorded for a token
 * count that has already run since, so a plan never changes while one is being recorded.
 */
final class CusparseLinear implements DeviceLinear, AutoCloseable {

    static final int INITIAL_MAX_TOKENS = 128;

    private final int outFeatures;
    private final int inFeatures;
    private final int nonZeros;
    private final long rowOffsets;
    private final long columns;
    private final long values;
    private final long bias;
    private final HalfOperands operands;
    private final Cusparse cusparse;
    private final Runnable onReplan;
    private CsrMatMul plan;

    CusparseLinear(
            int outFeatures,
            int inFeatures,
            int nonZeros,
            long rowOffsets,
            long columns,
            long values,
            long bias,
            HalfOperands operands,
            Cusparse cusparse,
            Runnable onReplan) {
        this.outFeatures = outFeatures;
        this.inFeatures = inFeatures;
        this.nonZeros = nonZeros;
        this.rowOffsets = rowOffsets;
        this.columns = columns;
        this.values = values;
        this.bias = bias;
        this.operands = operands;
        this.cusparse = cusparse;
        this.onReplan = onReplan;
        this.plan = plan(INITIAL_MAX_TOKENS);
    }

    private CsrMatMul plan(int maxTokens) {
        return cusparse.prepareCsr(
                outFeatures, inFeatures, nonZeros, rowOffsets, columns, values, DataType.F16, DataType.F16, maxTokens);
    }

    @Override
    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public int inFeatures() {
        return inFeatures;
    }

    @Override
    public void forward(
            DeviceKernels kernels, ActivationArena arena, long x, int tokens, ActivationFunction activation, long y) {
        if (tokens > plan.maxTokens()) {
            int maxTokens = Math.max(tokens, 2 * plan.maxTokens());
            onReplan.run();
            plan.close();
            plan = plan(maxTokens);
        }
        HalfOperands.Input input = operands.input(kernels, arena, x, tokens, inFeatures, inFeatures);
        plan.multiply(input.halves(), tokens, y);
        kernels.biasActivation(
                y,
                bias,
                operands.weightScales(),
                input.tokenScales(),
                tokens,
                outFeatures,
                activation == ActivationFunction.GELU);
    }

    @Override
    public void close() {
        plan.close();
    }
}
