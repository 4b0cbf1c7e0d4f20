// Element-wise kernels around the library GEMMs: operand conversion before, epilogue after.
#include "common.cuh"

// x [rows, cols] fp32 -> y [rows, colsPad] fp16, zeros in columns cols..colsPad-1, so GEMM kernels that
// step through K in whole tiles read zeros, never stale memory, past the real inputs.
// One thread per output element; grid-stride so any size fits one launch.
extern "C" __global__ void si_f32_to_f16_padded(const float* __restrict__ x, __half* __restrict__ y,
                                                int rows, int cols, int colsPad) {
    long total = (long) rows * colsPad;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        int r = (int) (i / colsPad);
        int c = (int) (i - (long) r * colsPad);
        y[i] = __float2half_rn(c < cols ? x[(long) r * cols + c] : 0.0f);
    }
}

// y [rows, cols] <- activation(y + bias[col]): the epilogue of cuBLAS and cuSPARSE outputs, which have none fused.
extern "C" __global__ void si_bias_activation(float* __restrict__ y, const float* __restrict__ bias,
                                              int rows, int cols, int gelu) {
    long total = (long) rows * cols;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        int c = (int) (i % cols);
        y[i] = si_activate(y[i] + bias[c], gelu);
    }
}
