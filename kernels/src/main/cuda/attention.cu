// Multi-head scaled dot-product attention within each packed sequence (no padding, no mask needed).
#include "common.cuh"

// Grid (tokens, heads), one block per query token and head. Shared memory (dynamic): the scaled query
// (headDim floats) and one score per key of the token's sequence (length floats), so a sequence may hold up to
// about 12,000 tokens; the host checks the limit. Warps take keys round-robin (lanes split the head dimension),
// then the block takes the softmax (max-subtracted, fp32) and each thread one output dimension.
// seqStart[t] / seqLength[t]: the first token and length of token t's sequence.
extern "C" __global__ void si_attention(const float* __restrict__ q, const float* __restrict__ k,
                                        const float* __restrict__ v, float* __restrict__ out,
                                        const int* __restrict__ seqStart, const int* __restrict__ seqLength,
                                        int hidden, int headDim, float scale) {
    extern __shared__ float shared[];
    __shared__ float scratch[32];
    const int t = blockIdx.x;
    const int h = blockIdx.y;
    const int start = seqStart[t];
    const int length = seqLength[t];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    float* sq = shared;
    float* p = shared + headDim;
    const size_t column = (size_t) h * headDim;

    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        sq[d] = q[(size_t) t * hidden + column + d] * scale;
    }
    __syncthreads();
    for (int j = warp; j < length; j += warps) {
        const float* key = k + (size_t) (start + j) * hidden + column;
        float s = 0.0f;
        for (int d = lane; d < headDim; d += 32) {
            s += sq[d] * key[d];
        }
        s = si_warp_sum(s);
        if (lane == 0) {
            p[j] = s;
        }
    }
    __syncthreads();
    float m = -INFINITY;
    for (int j = threadIdx.x; j < length; j += blockDim.x) {
        m = fmaxf(m, p[j]);
    }
    m = si_block_max(m, scratch);
    float sum = 0.0f;
    for (int j = threadIdx.x; j < length; j += blockDim.x) {
        float e = expf(p[j] - m);
        p[j] = e;
        sum += e;
    }
    float inv = 1.0f / si_block_sum(sum, scratch);
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        const float* value = v + (size_t) start * hidden + column + d;
        float acc = 0.0f;
        for (int j = 0; j < length; j++) {
            acc += p[j] * value[(size_t) j * hidden];
        }
        out[(size_t) t * hidden + column + d] = acc * inv;
    }
}
