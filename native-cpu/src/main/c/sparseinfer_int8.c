/*
 * int8 x int8 -> int32 matrix products for the CPU backend's w8a8 layers, one function per instruction set, chosen
 * by the caller from si_levels().
 *
 * C[m, n] = sum_k A[m, k] * W[n, k], with A the per-token int8 codes of the activations and W the per-output-channel
 * int8 weights, both in [-127, 127]. Every sum is exact in int32 (|C| <= 127 * 127 * K).
 *
 * Weight layout (si_pack): panels of 64 outputs; inside a panel, for each group of 4 inputs (K padded with zeros to
 * a multiple of 4), 64 outputs x 4 bytes, output-major: the 4 bytes of output j sit in 32-bit lane j, which is what
 * both vpdpbusd and vpmaddubsw + vpmaddwd sum into one int32. Activation codes are stored token by token with the
 * same zero padding, so a token's group of 4 is one 32-bit broadcast.
 *
 * AVX-512 VNNI: vpdpbusd multiplies unsigned by signed bytes, and only its signed operand takes a broadcast from
 * memory, so the weights are stored as unsigned (w + 128) and the codes stay signed; the extra 128 * sum_k A[m, k]
 * is subtracted per token (sum computed while quantising). Exact: no intermediate saturates.
 * AVX2: vpmaddubsw saturates its int16 pair sums, so it multiplies |a| (unsigned) by w carrying a's sign (vpsignb):
 * each product is at most 127 * 127 and a pair at most 32258, below 32767; vpmaddwd by ones then sums pairs to int32.
 *
 * The w8a8 entry point also quantises the tokens (ActivationQuantizer's arithmetic, bit for bit: scale max|x| / 127,
 * round half up, clamp to +-127) and rescales each sum as the Java kernels do: (float) C * (wscale[n] * tscale[m])
 * + bias[n], a multiply then an add (built with -ffp-contract=off, so never fused).
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define SI_EXPORT __attribute__((visibility("default")))

/* LEVEL_AVX512_BF16: the bf16 kernel of sparseinfer_bf16.c, reported here so one call says what this CPU runs. */
enum { LEVEL_AVX2 = 1, LEVEL_AVX512_VNNI = 2, LEVEL_AVX512_BF16 = 3 };
enum { PANEL = 64, GROUP = 4 };

static inline int padded(int k) { return (k + GROUP - 1) / GROUP * GROUP; }

static inline int32_t load32(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/** Bit 0: AVX2 kernels run here; bit 1: AVX-512 VNNI kernels run here; bit 2: the AVX-512 BF16 kernel runs here. */
SI_EXPORT int si_levels(void) {
    __builtin_cpu_init();
    int levels = 0;
    if (__builtin_cpu_supports("avx2")) {
        levels |= 1 << (LEVEL_AVX2 - 1);
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512vnni")) {
        levels |= 1 << (LEVEL_AVX512_VNNI - 1);
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bf16")) {
        levels |= 1 << (LEVEL_AVX512_BF16 - 1);
    }
    return levels;
}

/** Bytes si_pack writes for an [n, k] matrix. */
SI_EXPORT int64_t si_packed_bytes(int n, int k) {
    return (int64_t) ((n + PANEL - 1) / PANEL) * padded(k) * PANEL;
}

/** Bytes of the scratch si_linear_w8a8 needs for m tokens of k inputs: codes, then scales, then code sums. */
SI_EXPORT int64_t si_scratch_bytes(int m, int k) {
    return (int64_t) m * padded(k) + 64 + 8L * m;
}

/** Packs W [n, k] (row-major int8) for the given level; outputs past n and inputs past k are zeros. */
SI_EXPORT void si_pack(int level, const int8_t *w, int n, int k, uint8_t *dst) {
    int kp = padded(k);
    uint8_t offset = level == LEVEL_AVX512_VNNI ? 128 : 0;
    int panels = (n + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        uint8_t *panel = dst + (int64_t) p * kp * PANEL;
        for (int g = 0; g < kp / GROUP; g++) {
            for (int j = 0; j < PANEL; j++) {
                int o = p * PANEL + j;
                for (int b = 0; b < GROUP; b++) {
                    int i = g * GROUP + b;
                    int8_t v = o < n && i < k ? w[(int64_t) o * k + i] : 0;
                    panel[(g * PANEL + j) * GROUP + b] = (uint8_t) (v + offset);
                }
            }
        }
    }
}

/* ---- Quantisation: one token's codes, scale and code sum. ---- */

static inline int quantize_one(float v, float inv) {
    float x = v * inv;
    float f = __builtin_floorf(x);
    float r = x - f >= 0.5f ? f + 1 : f;
    return r > 127 ? 127 : r < -127 ? -127 : (int) r;
}

static inline float quantize_row_scalar(const float *x, int k, int kp, int8_t *q, int32_t *sum) {
    float max = 0;
    for (int i = 0; i < k; i++) {
        float a = __builtin_fabsf(x[i]);
        max = a > max ? a : max;
    }
    memset(q + k, 0, kp - k);
    *sum = 0;
    if (max == 0) {
        memset(q, 0, k);
        return 0;
    }
    float inv = 127.0f / max;
    int32_t s = 0;
    for (int i = 0; i < k; i++) {
        int c = quantize_one(x[i], inv);
        q[i] = (int8_t) c;
        s += c;
    }
    *sum = s;
    return max / 127.0f;
}

__attribute__((target("avx512f,avx512bw,avx512vl")))
static float quantize_row_avx512(const float *x, int k, int kp, int8_t *q, int32_t *sum) {
    __m512 m = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= k; i += 16) {
        m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
    }
    if (i < k) {
        __mmask16 t = (__mmask16) ((1u << (k - i)) - 1);
        m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_maskz_loadu_ps(t, x + i)));
    }
    float max = _mm512_reduce_max_ps(m);
    memset(q + k, 0, kp - k);
    *sum = 0;
    if (max == 0) {
        memset(q, 0, k);
        return 0;
    }
    float inv = 127.0f / max;
    __m512 vinv = _mm512_set1_ps(inv);
    __m512 one = _mm512_set1_ps(1), half = _mm512_set1_ps(0.5f);
    __m512 hi = _mm512_set1_ps(127), lo = _mm512_set1_ps(-127);
    __m512i s = _mm512_setzero_si512();
    for (i = 0; i < k; i += 16) {
        __mmask16 t = k - i >= 16 ? 0xFFFF : (__mmask16) ((1u << (k - i)) - 1);
        __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(t, x + i), vinv);
        __m512 f = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        __mmask16 up = _mm512_cmp_ps_mask(_mm512_sub_ps(v, f), half, _CMP_GE_OQ);
        __m512 r = _mm512_mask_add_ps(f, up, f, one);
        r = _mm512_max_ps(_mm512_min_ps(r, hi), lo);
        __m512i c = _mm512_cvtps_epi32(r);
        s = _mm512_add_epi32(s, _mm512_maskz_mov_epi32(t, c));
        _mm_mask_storeu_epi8(q + i, t, _mm512_cvtepi32_epi8(c));
    }
    *sum = _mm512_reduce_add_epi32(s);
    return max / 127.0f;
}

/* ---- Output: int32 sums, or the w8a8 rescale into floats. ---- */

/** Where a tile's sums go. Exactly one of c (int32 sums) and y (rescaled floats) is set. */
typedef struct {
    int32_t *c;
    float *y;
    const float *wscale;
    const float *bias;
    const float *tscale;
    const int32_t *sums;
    int n;
    int from;
    int to;
} Output;

/* ---- AVX-512 VNNI: tiles of up to 6 tokens x 64 outputs, 24 accumulators. ---- */

enum { MR512 = 6 };

__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline))
static inline void store512(int m, int o0, __m512i c0, __m512i c1, __m512i c2, __m512i c3, const Output *out) {
    __m512i acc[4] = {c0, c1, c2, c3};
    __m512i correction = _mm512_set1_epi32(128 * out->sums[m]);
    int hi = out->to < out->n ? out->to : out->n;
    for (int j = 0; j < 4; j++) {
        int n0 = o0 + 16 * j;
        int lo = out->from > n0 ? out->from - n0 : 0;
        int count = hi - n0;
        if (count <= lo || lo >= 16) {
            continue;
        }
        __mmask16 mask = (__mmask16) ((count >= 16 ? 0xFFFFu : (1u << count) - 1) & ~((1u << lo) - 1));
        __m512i c = _mm512_sub_epi32(acc[j], correction);
        if (out->c) {
            _mm512_mask_storeu_epi32(out->c + (int64_t) m * out->n + n0, mask, c);
        } else {
            __m512 s = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, out->wscale + n0), _mm512_set1_ps(out->tscale[m]));
            __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(c), s);
            y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(mask, out->bias + n0));
            _mm512_mask_storeu_ps(out->y + (int64_t) m * out->n + n0, mask, y);
        }
    }
}

/* Named accumulators, not an array: gcc keeps an array of them in memory and copies it every step. */
#define ACC512(r) __m512i c##r##0 = _mm512_setzero_si512(), c##r##1 = c##r##0, c##r##2 = c##r##0, c##r##3 = c##r##0
#define STEP512(r)                                                                  \
    if (mr > r) {                                                                   \
        __m512i x = _mm512_set1_epi32(load32(a + (int64_t) (r) * kp + g * GROUP)); \
        c##r##0 = _mm512_dpbusd_epi32(c##r##0, w0, x);                              \
        c##r##1 = _mm512_dpbusd_epi32(c##r##1, w1, x);                              \
        c##r##2 = _mm512_dpbusd_epi32(c##r##2, w2, x);                              \
        c##r##3 = _mm512_dpbusd_epi32(c##r##3, w3, x);                              \
    }
#define STORE512(r)                                                    \
    if (mr > r) {                                                      \
        store512(m0 + r, o0, c##r##0, c##r##1, c##r##2, c##r##3, out); \
    }

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"), always_inline))
static inline void tile512(int mr, const int8_t *q, int kp, const uint8_t *panel, int m0, int o0, const Output *out) {
    ACC512(0);
    ACC512(1);
    ACC512(2);
    ACC512(3);
    ACC512(4);
    ACC512(5);
    const int8_t *a = q + (int64_t) m0 * kp;
    for (int g = 0; g < kp / GROUP; g++) {
        const uint8_t *w = panel + (int64_t) g * PANEL * GROUP;
        __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + 64);
        __m512i w2 = _mm512_loadu_si512(w + 128), w3 = _mm512_loadu_si512(w + 192);
        STEP512(0)
        STEP512(1)
        STEP512(2)
        STEP512(3)
        STEP512(4)
        STEP512(5)
    }
    STORE512(0)
    STORE512(1)
    STORE512(2)
    STORE512(3)
    STORE512(4)
    STORE512(5)
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
static void gemm512(const int8_t *q, int m, int k, const uint8_t *packed, const Output *out) {
    int kp = padded(k);
    for (int o0 = out->from / PANEL * PANEL; o0 < out->to && o0 < out->n; o0 += PANEL) {
        const uint8_t *panel = packed + (int64_t) (o0 / PANEL) * kp * PANEL;
        int m0 = 0;
        for (; m0 + MR512 <= m; m0 += MR512) {
            tile512(MR512, q, kp, panel, m0, o0, out);
        }
        switch (m - m0) {
            case 1: tile512(1, q, kp, panel, m0, o0, out); break;
            case 2: tile512(2, q, kp, panel, m0, o0, out); break;
            case 3: tile512(3, q, kp, panel, m0, o0, out); break;
            case 4: tile512(4, q, kp, panel, m0, o0, out); break;
            case 5: tile512(5, q, kp, panel, m0, o0, out); break;
            default: break;
        }
    }
}

/* ---- AVX2: tiles of up to 4 tokens x 16 outputs (a quarter panel), 8 accumulators. ---- */

enum { MR256 = 4 };

__attribute__((target("avx2"), always_inline))
static inline void store256(int m, int n0, __m256i sums, const Output *out) {
    int32_t c[8];
    _mm256_storeu_si256((__m256i *) c, sums);
    int hi = out->to < out->n ? out->to : out->n;
    for (int l = 0; l < 8; l++) {
        int o = n0 + l;
        if (o < out->from || o >= hi) {
            continue;
        }
        if (out->c) {
            out->c[(int64_t) m * out->n + o] = c[l];
        } else {
            float s = out->wscale[o] * out->tscale[m];
            float y = (float) c[l] * s;
            out->y[(int64_t) m * out->n + o] = y + out->bias[o];
        }
    }
}

#define ACC256(r) __m256i c##r##0 = _mm256_setzero_si256(), c##r##1 = c##r##0
#define STEP256(r)                                                                  \
    if (mr > r) {                                                                   \
        __m256i x = _mm256_set1_epi32(load32(a + (int64_t) (r) * kp + g * GROUP)); \
        __m256i ux = _mm256_abs_epi8(x);                                            \
        __m256i p0 = _mm256_maddubs_epi16(ux, _mm256_sign_epi8(w0, x));             \
        __m256i p1 = _mm256_maddubs_epi16(ux, _mm256_sign_epi8(w1, x));             \
        c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(p0, ones));           \
        c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(p1, ones));           \
    }
#define STORE256(r)                                     \
    if (mr > r) {                                       \
        store256(m0 + r, o0 + quarter * 16, c##r##0, out);     \
        store256(m0 + r, o0 + quarter * 16 + 8, c##r##1, out); \
    }

__attribute__((target("avx2"), always_inline))
static inline void tile256(int mr, const int8_t *q, int kp, const uint8_t *panel, int quarter, int m0, int o0,
                           const Output *out) {
    ACC256(0);
    ACC256(1);
    ACC256(2);
    ACC256(3);
    const __m256i ones = _mm256_set1_epi16(1);
    const int8_t *a = q + (int64_t) m0 * kp;
    for (int g = 0; g < kp / GROUP; g++) {
        const uint8_t *w = panel + (int64_t) g * PANEL * GROUP + quarter * 64;
        __m256i w0 = _mm256_loadu_si256((const __m256i *) w), w1 = _mm256_loadu_si256((const __m256i *) (w + 32));
        STEP256(0)
        STEP256(1)
        STEP256(2)
        STEP256(3)
    }
    STORE256(0)
    STORE256(1)
    STORE256(2)
    STORE256(3)
}

__attribute__((target("avx2")))
static void gemm256(const int8_t *q, int m, int k, const uint8_t *packed, const Output *out) {
    int kp = padded(k);
    for (int o0 = out->from / PANEL * PANEL; o0 < out->to && o0 < out->n; o0 += PANEL) {
        const uint8_t *panel = packed + (int64_t) (o0 / PANEL) * kp * PANEL;
        for (int quarter = 0; quarter < 4 && o0 + quarter * 16 < out->n; quarter++) {
            int m0 = 0;
            for (; m0 + MR256 <= m; m0 += MR256) {
                tile256(MR256, q, kp, panel, quarter, m0, o0, out);
            }
            switch (m - m0) {
                case 1: tile256(1, q, kp, panel, quarter, m0, o0, out); break;
                case 2: tile256(2, q, kp, panel, quarter, m0, o0, out); break;
                case 3: tile256(3, q, kp, panel, quarter, m0, o0, out); break;
                default: break;
            }
        }
    }
}

static void gemm(int level, const int8_t *q, int m, int k, const uint8_t *packed, const Output *out) {
    if (level == LEVEL_AVX512_VNNI) {
        gemm512(q, m, k, packed, out);
    } else {
        gemm256(q, m, k, packed, out);
    }
}

/**
 * c[m, n] = sum_k a[m, k] * W[n, k] for outputs from <= n < to, from A's codes [m, padded(k)] (zero padded) and
 * their per-token sums; c is [m, n] row-major.
 */
SI_EXPORT void si_gemm_i32(int level, const int8_t *a, const int32_t *sums, int m, int k, const uint8_t *packed,
                           int n, int from, int to, int32_t *c) {
    Output out = {.c = c, .sums = sums, .n = n, .from = from, .to = to};
    gemm(level, a, m, k, packed, &out);
}

/**
 * Quantises the m tokens of x [m, k] into scratch (si_scratch_bytes(m, k)) and writes
 * y[r, o] = (float) C[r, o] * (wscale[o] * tscale[r]) + bias[o] for from <= o < to; y is [m, n] row-major.
 */
SI_EXPORT void si_linear_w8a8(int level, const float *x, int m, int k, uint8_t *scratch, const uint8_t *packed,
                              const float *wscale, const float *bias, int n, int from, int to, float *y) {
    int kp = padded(k);
    int8_t *q = (int8_t *) scratch;
    int64_t codes = ((int64_t) m * kp + 63) / 64 * 64;
    float *tscale = (float *) (scratch + codes);
    int32_t *sums = (int32_t *) (scratch + codes + 4L * m);
    for (int r = 0; r < m; r++) {
        const float *row = x + (int64_t) r * k;
        int8_t *qr = q + (int64_t) r * kp;
        tscale[r] = level == LEVEL_AVX512_VNNI ? quantize_row_avx512(row, k, kp, qr, &sums[r])
                                               : quantize_row_scalar(row, k, kp, qr, &sums[r]);
    }
    Output out = {.y = y, .wscale = wscale, .bias = bias, .tscale = tscale, .sums = sums, .n = n, .from = from, .to = to};
    gemm(level, q, m, k, packed, &out);
}

/** Quantises x [m, k] as si_linear_w8a8 does: codes [m, padded(k)], scales and code sums, for tests. */
SI_EXPORT void si_quantize(int level, const float *x, int m, int k, int8_t *q, float *scales, int32_t *sums) {
    int kp = padded(k);
    for (int r = 0; r < m; r++) {
        scales[r] = level == LEVEL_AVX512_VNNI
                ? quantize_row_avx512(x + (int64_t) r * k, k, kp, q + (int64_t) r * kp, &sums[r])
                : quantize_row_scalar(x + (int64_t) r * k, k, kp, q + (int64_t) r * kp, &sums[r]);
    }
}
