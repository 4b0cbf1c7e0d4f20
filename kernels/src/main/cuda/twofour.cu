// 2:4 structured-sparse linear layers on sparse tensor cores: y[t, o] = act(sum_i x[t, i] W[o, i] + b[o]).
//
// The weight is operand A of mma.sp.m16n8k32 (row-major, fp16, pruned 2 of every 4 along K = in), the activations
// are operand B (K x N "col" layout = x stored row-major [tokens, kPad] in fp16), fp32 accumulation.
// int8 weights come as their integers in fp16 (exact), with per-output scales wScale; their w8a8 activations as
// per-token integers (si_quantize_rows_half) with scales xScale. The epilogue then rescales the (exact) integer
// sums as the CPU does (si_rescale). A null wScale or xScale is a scale of 1 (fp16 weights; weight-only int8),
// which leaves the sum unchanged: one epilogue for every case.
//
// Weight layout expected (written once at upload by the Java side, TwoFourFragmentLayout): the matrix is cut into
// row tiles of 16 output features (mt) and K steps of 32 inputs (s), both zero-padded. For each (mt, s):
//   values: 32 uint4, one per lane (g = lane / 4, q = lane % 4). Each 32-bit word is the kept pair of one group
//           of 4 inputs (i0's value in the low half): .x row g group q, .y row g+8 group q, .z row g group 4+q,
//           .w row g+8 group 4+q (groups counted within the K step: the A fragment of the PTX ISA's sparse
//           m16n8k32 f16 layout).
//   meta:   16 uint32, entry 2g+h for the lane pair (g, h = q & 1) that supplies metadata under sparsity
//           selector 0: low 16 bits row g, groups 4h..4h+3 (4 bits each, the first group lowest, i0 in a group's
//           low 2 bits); high 16 bits the same for row g+8. Lanes with q = 2, 3 load their pair's word (ignored).
// Padding groups hold zeros with code 0b0100 (i0 = 0, i1 = 1), valid under ordered metadata.
#include "common.cuh"

__device__ __forceinline__ void si_mma_sp_f16(float (&d)[4], const uint4& a, const uint32_t (&b)[4], uint32_t e) {
    asm volatile(
        "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.f16.f16.f32 "
        "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9, %10, %11}, {%0, %1, %2, %3}, %12, 0x0;\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a.x), "r"(a.y), "r"(a.z), "r"(a.w), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e));
}

// B fragment of m16n8k32 f16: lane (g, q) holds token g's inputs q*2 + 8j and q*2 + 8j + 1 in register j.
__device__ __forceinline__ void si_load_b(uint32_t (&b)[4], const uint32_t* tokenRow, bool valid) {
#pragma unroll
    for (int j = 0; j < 4; j++) {
        b[j] = valid ? __ldg(tokenRow + 4 * j) : 0u;
    }
}

// Writes one m16n8 accumulator tile through the rescale + bias + activation epilogue. Accumulator i of lane (g, q)
// is output feature row0 + g (+8 for i >= 2), token col0 + 2q + (i & 1).
__device__ __forceinline__ void si_store_tile(const float (&acc)[4], int row0, int col0, const float* bias,
                                              const float* wScale, const float* xScale, float* y, int tokens,
                                              int outFeatures, int gelu) {
    int lane = threadIdx.x & 31;
    int g = lane >> 2;
    int q = lane & 3;
    float ws[2];
    float xs[2];
#pragma unroll
    for (int h = 0; h < 2; h++) {
        int o = row0 + g + 8 * h;
        int t = col0 + 2 * q + h;
        ws[h] = wScale != nullptr && o < outFeatures ? wScale[o] : 1.0f;
        xs[h] = xScale != nullptr && t < tokens ? xScale[t] : 1.0f;
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int o = row0 + g + (i >= 2 ? 8 : 0);
        int t = col0 + 2 * q + (i & 1);
        if (o < outFeatures && t < tokens) {
            float v = si_rescale(acc[i], ws[i >> 1], xs[i & 1], bias[o]);
            y[(size_t) t * outFeatures + o] = si_activate(v, gelu);
        }
    }
}

// Many tokens. Block: 4 warps = 64 output features x 64 tokens; warp w owns row tile 4 * blockIdx.x + w and
// eight n8 tiles (tokens 64 * blockIdx.y ..). Per K step each lane loads one uint4 of weights, one metadata
// word and 8 x 4 words of activations (shared by the block's warps through L1), then issues 8 mma.sp.
extern "C" __global__ void __launch_bounds__(128) si_twofour_gemm(
        const uint4* __restrict__ values, const uint32_t* __restrict__ meta, const __half* __restrict__ x,
        const float* __restrict__ bias, const float* __restrict__ wScale, const float* __restrict__ xScale,
        float* __restrict__ y, int tokens, int outFeatures, int kSteps, int gelu) {
    const int lane = threadIdx.x & 31;
    const int g = lane >> 2;
    const int q = lane & 3;
    const int mt = blockIdx.x * 4 + (threadIdx.x >> 5);
    if (mt >= (outFeatures + 15) / 16) {
        return;
    }
    const int n0 = blockIdx.y * 64;
    const int kPad = kSteps * 32;
    const uint4* a = values + (size_t) mt * kSteps * 32 + lane;
    const uint32_t* e = meta + (size_t) mt * kSteps * 16 + 2 * g + (q & 1);

    const uint32_t* rows[8];
    bool valid[8];
#pragma unroll
    for (int nt = 0; nt < 8; nt++) {
        int t = n0 + nt * 8 + g;
        valid[nt] = t < tokens;
        rows[nt] = reinterpret_cast<const uint32_t*>(x + (size_t) (valid[nt] ? t : 0) * kPad) + q;
    }
    float acc[8][4];
#pragma unroll
    for (int nt = 0; nt < 8; nt++) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            acc[nt][i] = 0.0f;
        }
    }
    for (int s = 0; s < kSteps; s++) {
        const uint4 av = __ldg(a + (size_t) s * 32);
        const uint32_t ev = __ldg(e + (size_t) s * 16);
#pragma unroll
        for (int nt = 0; nt < 8; nt++) {
            uint32_t b[4];
            si_load_b(b, rows[nt] + (size_t) s * 16, valid[nt]);
            si_mma_sp_f16(acc[nt], av, b, ev);
        }
    }
#pragma unroll
    for (int nt = 0; nt < 8; nt++) {
        si_store_tile(acc[nt], mt * 16, n0 + nt * 8, bias, wScale, xScale, y, tokens, outFeatures, gelu);
    }
}

// 1 to 16 tokens: memory-bound, so the point is to stream the compressed weights and metadata exactly once with
// wide coalesced loads (each warp reads 512 contiguous bytes of values and 64 of metadata per K step) and keep
// many loads in flight. Block: 4 warps on one row tile, splitting the K steps round-robin; their partial sums
// meet in shared memory. Tokens 0-7 are one n8 tile, 8-15 a second one, issued only when there are > 8 tokens.
extern "C" __global__ void __launch_bounds__(128) si_twofour_small_n(
        const uint4* __restrict__ values, const uint32_t* __restrict__ meta, const __half* __restrict__ x,
        const float* __restrict__ bias, const float* __restrict__ wScale, const float* __restrict__ xScale,
        float* __restrict__ y, int tokens, int outFeatures, int kSteps, int gelu) {
    __shared__ float partial[4][2][4][32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int g = lane >> 2;
    const int q = lane & 3;
    const int mt = blockIdx.x;
    const int kPad = kSteps * 32;
    const bool twoTiles = tokens > 8;
    const uint4* a = values + (size_t) mt * kSteps * 32 + lane;
    const uint32_t* e = meta + (size_t) mt * kSteps * 16 + 2 * g + (q & 1);
    const bool valid0 = g < tokens;
    const bool valid1 = g + 8 < tokens;
    const uint32_t* row0 = reinterpret_cast<const uint32_t*>(x + (size_t) (valid0 ? g : 0) * kPad) + q;
    const uint32_t* row1 = reinterpret_cast<const uint32_t*>(x + (size_t) (valid1 ? g + 8 : 0) * kPad) + q;

    float acc0[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    float acc1[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll 4
    for (int s = warp; s < kSteps; s += 4) {
        const uint4 av = __ldg(a + (size_t) s * 32);
        const uint32_t ev = __ldg(e + (size_t) s * 16);
        uint32_t b[4];
        si_load_b(b, row0 + (size_t) s * 16, valid0);
        si_mma_sp_f16(acc0, av, b, ev);
        if (twoTiles) {
            si_load_b(b, row1 + (size_t) s * 16, valid1);
            si_mma_sp_f16(acc1, av, b, ev);
        }
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        partial[warp][0][i][lane] = acc0[i];
        partial[warp][1][i][lane] = acc1[i];
    }
    __syncthreads();
    if (warp == 0) {
        float sum0[4];
        float sum1[4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            sum0[i] = partial[0][0][i][lane] + partial[1][0][i][lane] + partial[2][0][i][lane] + partial[3][0][i][lane];
            sum1[i] = partial[0][1][i][lane] + partial[1][1][i][lane] + partial[2][1][i][lane] + partial[3][1][i][lane];
        }
        si_store_tile(sum0, mt * 16, 0, bias, wScale, xScale, y, tokens, outFeatures, gelu);
        if (twoTiles) {
            si_store_tile(sum1, mt * 16, 8, bias, wScale, xScale, y, tokens, outFeatures, gelu);
        }
    }
}
