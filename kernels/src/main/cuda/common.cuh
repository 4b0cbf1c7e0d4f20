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

// Java's Math.round(v * inv) clamped to [-127, 127]: the CPU backend's per-token activation quantisation
// (ActivationQuantizer), bit for bit. The product is rounded on its own (__fmul_rn) so nvcc cannot fuse it into an
// FMA with what follows; then half up as Math.round does, floor(p) plus one where p's fraction (exact) is at least
// a half: floorf(p + 0.5f) would round 0.49999997f up. NaN (an infinite input row) gives 0, as in Java.
__device__ __forceinline__ float si_quantize_int8(float v, float inv) {
    float p = __fmul_rn(v, inv);
    float f = floorf(p);
    float r = __fsub_rn(p, f) >= 0.5f ? __fadd_rn(f, 1.0f) : f;
    return p != p ? 0.0f : fmaxf(-127.0f, fminf(127.0f, r));
}

// The int8 layers' epilogue as the CPU backend computes it, sum * (weightScale * tokenScale) + bias, each step
// rounded on its own (no FMA): an integer sum equal to the CPU's gives the CPU's output bit for bit.
__device__ __forceinline__ float si_rescale(float sum, float weightScale, float tokenScale, float bias) {
    return __fadd_rn(__fmul_rn(sum, __fmul_rn(weightScale, tokenScale)), bias);
}

// The two reductions the kernels need, each with the value that leaves the other operand unchanged.
struct SiAdd {
    __device__ __forceinline__ float operator()(float a, float b) const { return a + b; }
    __device__ __forceinline__ static float identity() { return 0.0f; }
};

struct SiMax {
    __device__ __forceinline__ float operator()(float a, float b) const { return fmaxf(a, b); }
    __device__ __forceinline__ static float identity() { return -INFINITY; }
};

// Reduction over the 32 lanes of a warp; every lane gets the result.
template <typename Op>
__device__ __forceinline__ float si_warp_reduce(float v, Op op) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = op(v, __shfl_xor_sync(SI_FULL_MASK, v, offset));
    }
    return v;
}

__device__ __forceinline__ float si_warp_sum(float v) {
    return si_warp_reduce(v, SiAdd());
}

// Reduction over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// `scratch` holds at least 32 floats; the call ends with a barrier so scratch can be reused at once.
template <typename Op>
__device__ __forceinline__ float si_block_reduce(float v, float* scratch, Op op) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = si_warp_reduce(v, op);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    float total = lane < warps ? scratch[lane] : Op::identity();
    total = si_warp_reduce(total, op);
    __syncthreads();
    return total;
}

__device__ __forceinline__ float si_block_sum(float v, float* scratch) {
    return si_block_reduce(v, scratch, SiAdd());
}

__device__ __forceinline__ float si_block_max(float v, float* scratch) {
    return si_block_reduce(v, scratch, SiMax());
}
