/*
 * bf16 x bf16 -> fp32 matrix products for the CPU backend's fp32 layers run at bf16 precision, on AVX-512 BF16
 * (vdpbf16ps) only: the caller checks si_levels() (sparseinfer_int8.c) for LEVEL_AVX512_BF16 first.
 *
 * y[m, n] = sum_k bf16(x[m, k]) * bf16(W[n, k]) + bias[n], both operands rounded to nearest even. A product of two
 * bf16 values (8-bit significands) is exact in fp32; only the fp32 summation rounds.
 *
 * Weight layout (si_bf16_pack): panels of 64 outputs; inside a panel, for each pair of inputs (K padded with a zero
 * to an even count), 64 outputs x 2 bf16, output-major: the pair of output j sits in 32-bit lane j, which is what
 * vdpbf16ps sums into one fp32 lane. The activations are converted per call into the scratch token by token with
 * the same zero padding, so a token's pair is one 32-bit broadcast.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define SI_EXPORT __attribute__((visibility("default")))

enum { BF_PANEL = 64, PAIR = 2, BF_MR = 6 };

static inline int padded_pairs(int k) { return (k + PAIR - 1) / PAIR * PAIR; }

/** Bytes si_bf16_pack writes for an [n, k] matrix. */
SI_EXPORT int64_t si_bf16_packed_bytes(int n, int k) {
    return (int64_t) ((n + BF_PANEL - 1) / BF_PANEL) * padded_pairs(k) * BF_PANEL * 2;
}

/** Bytes of the scratch si_linear_bf16 needs for m tokens of k inputs: their bf16 values. */
SI_EXPORT int64_t si_bf16_scratch_bytes(int m, int k) {
    return ((int64_t) m * padded_pairs(k) * 2 + 63) / 64 * 64;
}

/** fp32 to bf16, rounded to nearest even, as vcvtneps2bf16 does for normal numbers; a NaN stays a quiet NaN. */
static inline uint16_t to_bf16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) {
        return (uint16_t) ((bits >> 16) | 0x40);
    }
    return (uint16_t) ((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
}

/** Rounds W [n, k] (row-major fp32) to bf16 and packs it; outputs past n and inputs past k are zeros. */
SI_EXPORT void si_bf16_pack(const float *w, int n, int k, uint16_t *dst) {
    int kp = padded_pairs(k);
    int panels = (n + BF_PANEL - 1) / BF_PANEL;
    for (int p = 0; p < panels; p++) {
        uint16_t *panel = dst + (int64_t) p * kp * BF_PANEL;
        for (int g = 0; g < kp / PAIR; g++) {
            for (int j = 0; j < BF_PANEL; j++) {
                int o = p * BF_PANEL + j;
                for (int b = 0; b < PAIR; b++) {
                    int i = g * PAIR + b;
                    panel[(g * BF_PANEL + j) * PAIR + b] = o < n && i < k ? to_bf16(w[(int64_t) o * k + i]) : 0;
                }
            }
        }
    }
}

/** One token's k floats to kp bf16 values; a masked load reads zeros past k, so the odd K's padding is zero. */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
static void convert_row(const float *x, int k, int kp, uint16_t *dst) {
    for (int i = 0; i < kp; i += 16) {
        __mmask16 in = k - i >= 16 ? 0xFFFF : (__mmask16) ((1u << (k - i)) - 1);
        __mmask16 out = kp - i >= 16 ? 0xFFFF : (__mmask16) ((1u << (kp - i)) - 1);
        __m256bh h = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(in, x + i));
        _mm256_mask_storeu_epi16(dst + i, out, (__m256i) h);
    }
}

/** Where a tile's sums go: y [m, n], outputs from <= o < to. */
typedef struct {
    float *y;
    const float *bias;
    int n;
    int from;
    int to;
} Output;

__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline))
static inline void store_bf16(int m, int o0, __m512 c0, __m512 c1, __m512 c2, __m512 c3, const Output *out) {
    __m512 acc[4] = {c0, c1, c2, c3};
    int hi = out->to < out->n ? out->to : out->n;
    for (int j = 0; j < 4; j++) {
        int n0 = o0 + 16 * j;
        int lo = out->from > n0 ? out->from - n0 : 0;
        int count = hi - n0;
        if (count <= lo || lo >= 16) {
            continue;
        }
        __mmask16 mask = (__mmask16) ((count >= 16 ? 0xFFFFu : (1u << count) - 1) & ~((1u << lo) - 1));
        __m512 y = _mm512_add_ps(acc[j], _mm512_maskz_loadu_ps(mask, out->bias + n0));
        _mm512_mask_storeu_ps(out->y + (int64_t) m * out->n + n0, mask, y);
    }
}

static inline int32_t load_pair(const uint16_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Tiles of up to 6 tokens x 64 outputs: 24 named accumulators (an array would live in memory, see the int8 file). */
#define ACCBF(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = c##r##0, c##r##2 = c##r##0, c##r##3 = c##r##0
#define STEPBF(r)                                                                                \
    if (mr > r) {                                                                                \
        __m512bh x = (__m512bh) _mm512_set1_epi32(load_pair(a + (int64_t) (r) * kp + g * PAIR)); \
        c##r##0 = _mm512_dpbf16_ps(c##r##0, w0, x);                                              \
        c##r##1 = _mm512_dpbf16_ps(c##r##1, w1, x);                                              \
        c##r##2 = _mm512_dpbf16_ps(c##r##2, w2, x);                                              \
        c##r##3 = _mm512_dpbf16_ps(c##r##3, w3, x);                                              \
    }
#define STOREBF(r)                                                       \
    if (mr > r) {                                                        \
        store_bf16(m0 + r, o0, c##r##0, c##r##1, c##r##2, c##r##3, out); \
    }

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"), always_inline))
static inline void tile_bf16(int mr, const uint16_t *q, int kp, const uint16_t *panel, int m0, int o0,
                             const Output *out) {
    ACCBF(0);
    ACCBF(1);
    ACCBF(2);
    ACCBF(3);
    ACCBF(4);
    ACCBF(5);
    const uint16_t *a = q + (int64_t) m0 * kp;
    for (int g = 0; g < kp / PAIR; g++) {
        const uint16_t *w = panel + (int64_t) g * BF_PANEL * PAIR;
        __m512bh w0 = (__m512bh) _mm512_loadu_si512(w), w1 = (__m512bh) _mm512_loadu_si512(w + 32);
        __m512bh w2 = (__m512bh) _mm512_loadu_si512(w + 64), w3 = (__m512bh) _mm512_loadu_si512(w + 96);
        STEPBF(0)
        STEPBF(1)
        STEPBF(2)
        STEPBF(3)
        STEPBF(4)
        STEPBF(5)
    }
    STOREBF(0)
    STOREBF(1)
    STOREBF(2)
    STOREBF(3)
    STOREBF(4)
    STOREBF(5)
}

/**
 * Converts the m tokens of x [m, k] to bf16 into scratch (si_bf16_scratch_bytes(m, k)) and writes
 * y[r, o] = sum_i bf16(x[r, i]) * W[o, i] + bias[o] for from <= o < to; y is [m, n] row-major.
 */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
SI_EXPORT void si_linear_bf16(const float *x, int m, int k, uint16_t *scratch, const uint16_t *packed,
                              const float *bias, int n, int from, int to, float *y) {
    int kp = padded_pairs(k);
    for (int r = 0; r < m; r++) {
        convert_row(x + (int64_t) r * k, k, kp, scratch + (int64_t) r * kp);
    }
    Output out = {.y = y, .bias = bias, .n = n, .from = from, .to = to};
    for (int o0 = from / BF_PANEL * BF_PANEL; o0 < to && o0 < n; o0 += BF_PANEL) {
        const uint16_t *panel = packed + (int64_t) (o0 / BF_PANEL) * kp * BF_PANEL;
        int m0 = 0;
        for (; m0 + BF_MR <= m; m0 += BF_MR) {
            tile_bf16(BF_MR, scratch, kp, panel, m0, o0, &out);
        }
        switch (m - m0) {
            case 1: tile_bf16(1, scratch, kp, panel, m0, o0, &out); break;
            case 2: tile_bf16(2, scratch, kp, panel, m0, o0, &out); break;
            case 3: tile_bf16(3, scratch, kp, panel, m0, o0, &out); break;
            case 4: tile_bf16(4, scratch, kp, panel, m0, o0, &out); break;
            case 5: tile_bf16(5, scratch, kp, panel, m0, o0, &out); break;
            default: break;
        }
    }
}
