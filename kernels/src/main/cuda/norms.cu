// Row-wise ops of the encoder: embedding gather, residual + LayerNorm, mean pooling + L2 normalisation.
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

// out[s, :] = normalize(mean of x over sequence s's tokens). One block per sequence; cols floats of shared memory.
extern "C" __global__ void si_mean_pool_normalize(const float* __restrict__ x, const int* __restrict__ starts,
                                                  const int* __restrict__ lengths, float* __restrict__ out,
                                                  int cols) {
    extern __shared__ float mean[];
    __shared__ float scratch[32];
    int start = starts[blockIdx.x];
    int length = lengths[blockIdx.x];
    float squares = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float s = 0.0f;
        for (int t = 0; t < length; t++) {
            s += x[(size_t) (start + t) * cols + c];
        }
        s /= length;
        mean[c] = s;
        squares += s * s;
    }
    float inv = 1.0f / fmaxf(sqrtf(si_block_sum(squares, scratch)), 1e-12f);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        out[(size_t) blockIdx.x * cols + c] = mean[c] * inv;
    }
}
