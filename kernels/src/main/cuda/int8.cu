// w8a8 linear layers: int8 weights (per output channel scale) x int8 activations (per token scale, quantised on
// the device right before the GEMM), int32 sums, rescaled in the epilogue with bias and activation fused.
#include "common.cuh"

// Per-token symmetric quantisation, the CPU backend's rule: the row's largest magnitude maps to 127, round half
// up (Java's Math.round), clamp to [-127, 127]; a zero row gets scale 0. Writes q [rows, colsPad] (zero padded,
// so the GEMM reads whole 4-byte words) and scales [rows]. One block per row.
extern "C" __global__ void si_quantize_rows_int8(const float* __restrict__ x, int8_t* __restrict__ q,
                                                 float* __restrict__ scales, int cols, int colsPad) {
    __shared__ float scratch[32];
    const float* row = x + (size_t) blockIdx.x * cols;
    float m = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        m = fmaxf(m, fabsf(row[c]));
    }
    m = si_block_max(m, scratch);
    float inv = m > 0.0f ? 127.0f / m : 0.0f;
    int8_t* out = q + (size_t) blockIdx.x * colsPad;
    for (int c = threadIdx.x; c < colsPad; c += blockDim.x) {
        float v = c < cols ? floorf(row[c] * inv + 0.5f) : 0.0f;
        out[c] = (int8_t) fmaxf(-127.0f, fminf(127.0f, v));
    }
    if (threadIdx.x == 0) {
        scales[blockIdx.x] = m / 127.0f;
    }
}

// Tile: 32 tokens x 32 output features per block of 256 threads (16 x 16); thread (tx, ty) owns tokens ty, ty+16
// and features tx, tx+16. K advances 64 int8 (16 words) at a time through shared memory; __dp4a does four
// int8 products per instruction. Weights [out, kWords] and activations [tokens, kWords] are 4-byte words of
// 4 consecutive inputs, zero-padded at the end of each row (Int8RowPacking on the Java side).
extern "C" __global__ void __launch_bounds__(256) si_int8_gemm(
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
                float v = (float) acc[i][j] * xScale[t] * wScale[o] + bias[o];
                y[(size_t) t * outFeatures + o] = si_activate(v, gelu);
            }
        }
    }
}
