// Row-wise ops of the encoder: embedding gather, residual + LayerNorm, pooling (CLS, mean, max, last token) with
// optional L2 normalisation.
// fp32 throughout, with the CPU backend's formulas (two-pass variance, the 1e-12 norm guard of
// torch.nn.functional.normalize).
#include "common.cuh"

// out[t, :] = word[ids[t], :] + position[positions[t], :] + type[types[t], :]; ids were range-checked on the
// host. Grid-stride over tokens x width.
extern "C" __global__ void si_embed(const int* __restrict__ ids, const int* __restrict__ types,
                                    const int* __restrict__ positions, const float* __restrict__ word,
                                    const float* __restrict__ position, const float* __restrict__ type,
                                    float* __restrict__ out, int tokens, int width) {
    long total = (long) tokens * width;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        int t = (int) (i / width);
        int c = (int) (i - (long) t * width);
        out[i] = word[(size_t) ids[t] * width + c] + position[(size_t) positions[t] * width + c]
                 + type[(size_t) types[t] * width + c];
    }
}

// out[r, :] = LayerNorm(x[r, :] + residual[r, :]) * gamma + beta; residual may be null, out may be x or residual
// (the row is staged in shared memory, cols floats, before anything is written), so none of the three is
// __restrict__. One block per row.
extern "C" __global__ void si_add_layernorm(const float* x, const float* residual,
                                            const float* __restrict__ gamma, const float* __restrict__ beta,
                                            float* out, int cols, float eps) {
    extern __shared__ float row[];
    __shared__ float scratch[32];
    size_t base = (size_t) blockIdx.x * cols;
    float sum = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = x[base + c] + (residual != nullptr ? residual[base + c] : 0.0f);
        row[c] = v;
        sum += v;
    }
    float mean = si_block_sum(sum, scratch) / cols;
    float squares = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float d = row[c] - mean;
        squares += d * d;
    }
    float inv = rsqrtf(si_block_sum(squares, scratch) / cols + eps);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        out[base + c] = (row[c] - mean) * inv * gamma[c] + beta[c];
    }
}

// out[s, :] = pooled token states of sequence s, L2-normalised when normalize != 0. mode: 0 the first token (CLS),
// 1 the mean over the sequence's tokens, 2 the per-feature maximum, 3 the last token (SI_POOL_* below, which
// DeviceKernels.poolingMode maps the Java enum to). One block per sequence; each thread owns columns c = threadIdx.x +
// k * blockDim.x and reads them down the sequence's rows (coalesced across the warp); the pooled row is staged in
// cols floats of shared memory until the norm is known.
#define SI_POOL_CLS 0
#define SI_POOL_MEAN 1
#define SI_POOL_MAX 2
#define SI_POOL_LAST 3
extern "C" __global__ void si_pool(const float* __restrict__ x, const int* __restrict__ starts,
                                   const int* __restrict__ lengths, float* __restrict__ out, int cols, int mode,
                                   int normalize) {
    extern __shared__ float pooled[];
    __shared__ float scratch[32];
    int start = starts[blockIdx.x];
    int length = lengths[blockIdx.x];
    float squares = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v;
        if (mode == SI_POOL_CLS) {
            v = x[(size_t) start * cols + c];
        } else if (mode == SI_POOL_LAST) {
            v = x[(size_t) (start + length - 1) * cols + c];
        } else if (mode == SI_POOL_MAX) {
            v = x[(size_t) start * cols + c];
            for (int t = 1; t < length; t++) {
                v = fmaxf(v, x[(size_t) (start + t) * cols + c]);
            }
        } else {
            v = 0.0f;
            for (int t = 0; t < length; t++) {
                v += x[(size_t) (start + t) * cols + c];
            }
            v /= length;
        }
        pooled[c] = v;
        squares += v * v;
    }
    // The block-wide sum is reached by every thread either way, as si_block_sum's barriers require.
    float total = si_block_sum(squares, scratch);
    float inv = normalize != 0 ? 1.0f / fmaxf(sqrtf(total), 1e-12f) : 1.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        out[(size_t) blockIdx.x * cols + c] = pooled[c] * inv;
    }
}
