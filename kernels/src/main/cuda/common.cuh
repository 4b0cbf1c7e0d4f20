// Shared device helpers for every kernel family. Included once, by sparseinfer_kernels.cu.
#pragma once

#include <cuda_fp16.h>
#include <stdint.h>

#define SI_FULL_MASK 0xffffffffu

// Exact GELU, x * (1 + erf(x / sqrt 2)) / 2: the same function the CPU backend computes.
__device__ __forceinline__ float si_gelu(float x) {
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}

__device__ __forceinline__ float si_activate(float x, int gelu) {
    return gelu ? si_gelu(x) : x;
}

__device__ __forceinline__ float si_warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(SI_FULL_MASK, v, offset);
    }
    return v;
}

__device__ __forceinline__ float si_warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(SI_FULL_MASK, v, offset));
    }
    return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// `scratch` holds at least 32 floats; the call ends with a barrier so scratch can be reused at once.
__device__ __forceinline__ float si_block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = si_warp_sum(v);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    float total = lane < warps ? scratch[lane] : 0.0f;
    total = si_warp_sum(total);
    __syncthreads();
    return total;
}

__device__ __forceinline__ float si_block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = si_warp_max(v);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    float total = lane < warps ? scratch[lane] : -INFINITY;
    total = si_warp_max(total);
    __syncthreads();
    return total;
}
