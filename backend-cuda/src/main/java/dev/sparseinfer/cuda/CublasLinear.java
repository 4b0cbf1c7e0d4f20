package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.DataType;
import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * Dense fp16 weights {@code [out, in]} through {@code cublasGemmEx}. cuBLAS is column-major, so the row-major
 * product {@code Y[t, o] = X[t, :] . W[o, :]} is computed as {@code Y^T = W^T' X^T}: the weight buffer read as a
 * column-major {@code in x out} matrix, transposed ({@code op(A) = T}); the fp16 activations as column-major
 * {@code in x tokens} ({@code op(B) = N}); {@code Y} as column-major {@code out x tokens}, i.e. row-major
 * {@code [tokens, out]}. Weight-only int8 weights come as their integers, scaled in the epilogue
 * ({@link HalfOperands}).
 */
record CublasLinear(int outFeatures, int inFeatures, long weights, long bias, HalfOperands operands, Cublas cublas)
        implements DeviceLinear {

    /** Activation rows padded to 8 halves (16 bytes), the alignment cuBLAS's tensor-core paths want. */
    static final int ROW_ALIGNMENT = 8;

    @Override
    public void forward(
            DeviceKernels kernels, ActivationArena arena, long x, int tokens, ActivationFunction activation, long y) {
        int inPad = DeviceLinear.roundUp(inFeatures, ROW_ALIGNMENT);
        HalfOperands.Input input = operands.input(kernels, arena, x, tokens, inFeatures, inPad);
        cublas.gemmEx(
                Cublas.Transpose.T,
                Cublas.Transpose.N,
                outFeatures,
                tokens,
                inFeatures,
                1f,
                weights,
                DataType.F16,
                inFeatures,
                input.halves(),
                DataType.F16,
                inPad,
                0f,
                y,
                DataType.F32,
                outFeatures,
                Cublas.ComputeType.F32);
        kernels.biasActivation(
                y,
                bias,
                operands.weightScales(),
                input.tokenScales(),
                tokens,
                outFeatures,
                activation == ActivationFunction.GELU);
    }
}
