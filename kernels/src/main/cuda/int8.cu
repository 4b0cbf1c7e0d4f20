// w8a8: per-token quantisation of activations, and the dense w8a8 GEMM: int8 weights (per output channel scale) x
// int8 activations (per token scale), int32 sums, rescaled in the epilogue with bias and activation fused.
#include "common.cuh"

// One quantised value, as the GEMM that reads it takes it: int8, or an integer-valued fp16.
__device__ __forceinline__ void si_store_quantized(int8_t* q, float v) {
    *q = (int8_t) v;
}

__device__ __forceinline__ void si_store_quantized(__half* q, float v) {
    *q = __float2half_rn(v);
}

// Per-token symmetric quantisation, the CPU backend's rule: the row's largest magnitude maps to 127, round half
// up (Java's Math.round, si_quantize_int8), clamp to [-127, 127]; a zero row gets scale 0. Writes q [rows, colsPad]
// (zero padded, so the GEMMs read whole words or K steps) and scales [rows]. One block per row.
template <typename Q>
__device__ __forceinline__ void si_quantize_row(const float* __restrict__ x, Q* __restrict__ q,
                                                float* __restrict__ scales, int cols, int colsPad) {
    __shared__ float scratch[32];
    const float* row = x + (size_t) blockIdx.x * cols;
    float m = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        m = fmaxf(m, fabsf(row[c]));
    }
    m = si_block_max(m, scratch);
    float inv = m > 0.0f ? 127.0f / m : 0.0f;
    Q* out = q + (size_t) blockIdx.x * colsPad;
    for (int c = threadIdx.x; c < colsPad; c += blockDim.x) {
        si_store_quantized(out + c, c < cols ? si_quantize_int8(row[c], inv) : 0.0f);
    }
    if (threadIdx.x == 0) {
        scales[blockIdx.x] = m / 127.0f;
    }
}

// int8 values, for si_int8_gemm (colsPad a multiple of 4).
extern "C" __global__ void si_quantize_rows_int8(const float* __restrict__ x, int8_t* __restrict__ q,
                                                 float* __restrict__ scales, int cols, int colsPad) {
    si_quantize_row(x, q, scales, cols, colsPad);
}

// The same integers as fp16 (exact: |q| <= 127), for the fp16 GEMMs that run w8a8 layers on int8 weights uploaded
// as integer-valued fp16 (2:4 on the sparse tensor cores, CSR through cuSPARSE): their fp32 sums of integer
// products are exact, as the CPU's are, while every partial sum stays below 2^24 in magnitude.
extern "C" __global__ void si_quantize_rows_half(const float* __restrict__ x, __half* __restrict__ q,
                                                 float* __restrict__ scales, int cols, int colsPad) {
    si_quantize_row(x, q, scales, cols, colsPad);
}

// Tile: 32 tokens x 32 output features per block of 256 threads (16 x 16); thread (tx, ty) owns tokens ty, ty+16
// and features tx, tx+16. K advances 64 int8 (16 words) at a time through shared memory; __dp4a does four
// int8 products per instruction. Weights [out, kWords] and activations [tokens, kWords] are 4-byte words of
// 4 consecutive inputs, zero-padded at the end of each row (Int8RowPacking on the Java side). At least 6 blocks
// per SM (40 registers): left to aim at 8 (32 registers), ptxas spills on some architectures.
extern "C" __global__ void __launch_bounds__(256, 6) si_int8_gemm(
        const int* __restrict__ w, const float* __restrict__ wScale, const int* __restrict__ qx,
        const float* __restrict__ xScale, const float* __restrict__ bias, float* __restrict__ y,
        int tokens, int outFeatures, int kWords, int gelu) {
    __shared__ int sx[32][17];
    __shared__ int sw[32][17];
    const int tx = threadIdx.x & 15;
    const int ty = threadIdx.x >> 4;
    const int t0 = blockIdx.y * 32;
    const int o0 = blockIdx.x * 32;
    int acc[2][2] = {{0, 0}, {0, 0}};
    for (int k0 = 0; k0 < kWords; k0 += 16) {
        for (int i = threadIdx.x; i < 512; i += 256) {
            int r = i >> 4;
            int c = i & 15;
            int k = k0 + c;
            sx[r][c] = (t0 + r < tokens && k < kWords) ? qx[(size_t) (t0 + r) * kWords + k] : 0;
            sw[r][c] = (o0 + r < outFeatures && k < kWords) ? w[(size_t) (o0 + r) * kWords + k] : 0;
        }
        __syncthreads();
#pragma unroll
        for (int c = 0; c < 16; c++) {
#pragma unroll
            for (int i = 0; i < 2; i++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    acc[i][j] = __dp4a(sx[ty + 16 * i][c], sw[tx + 16 * j][c], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            int t = t0 + ty + 16 * i;
            int o = o0 + tx + 16 * j;
            if (t < tokens && o < outFeatures) {
                float v = si_rescale((float) acc[i][j], wScale[o], xScale[t], bias[o]);
                y[(size_t) t * outFeatures + o] = si_activate(v, gelu);
            }
        }
    }
}
