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

// y [rows, cols] <- activation(y + bias[col]), or for int8 weights activation(si_rescale(y, wScale[col],
// xScale[row], bias[col])): the epilogue of cuBLAS and cuSPARSE outputs, which have none fused. A null wScale or
// xScale is a scale of 1 (fp weights; weight-only int8), which leaves the sum unchanged.
extern "C" __global__ void si_bias_activation(float* __restrict__ y, const float* __restrict__ bias,
                                              const float* __restrict__ wScale, const float* __restrict__ xScale,
                                              int rows, int cols, int gelu) {
    long total = (long) rows * cols;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        int r = (int) (i / cols);
        int c = (int) (i - (long) r * cols);
        float v = si_rescale(y[i], wScale == nullptr ? 1.0f : wScale[c], xScale == nullptr ? 1.0f : xScale[r], bias[c]);
        y[i] = si_activate(v, gelu);
    }
}
