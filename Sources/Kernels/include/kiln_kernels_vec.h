/* kiln_kernels_vec.h — the small vector vocabulary every Kiln kernel is written in.
 *
 * One of three targets is chosen by the includer (see kiln_kernels.h):
 *   KILN_TARGET_AVX512  kiln_v = __m512 (16 floats), masks for remainders
 *   KILN_TARGET_AVX2    kiln_v = __m256 (8 floats), FMA, maskload/maskstore for remainders
 *   neither             kiln_v = float (one lane), plain C11 loops the compiler may vectorize
 * Kernels only use the kiln_v_* functions below, so each kernel exists once for all three targets.
 * Loads and stores are unaligned: no kernel has alignment requirements. */
#ifndef KILN_KERNELS_VEC_H
#define KILN_KERNELS_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Unrolls the next loop fully (a constant trip count up to 32): how arrays of vectors become registers. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__INTEL_COMPILER)
#define KILN_UNROLL _Pragma("GCC unroll 32")
#else
#define KILN_UNROLL
#endif

#if defined(__GNUC__) || defined(__clang__)
#define KILN_INLINE static inline __attribute__((always_inline))
#if defined(__clang__)
#define KILN_OUTLINE static __attribute__((noinline, unused)) /* one copy per file, shapes at run time */
#else
#define KILN_OUTLINE static __attribute__((noinline, noclone, unused)) /* noclone: no per-constant copies either */
#endif
#define KILN_RESTRICT __restrict__
#else
#define KILN_INLINE static inline
#define KILN_OUTLINE static
#define KILN_RESTRICT
#endif

/* Asks for the cache line `ahead` floats past p to be brought into L1 (a hint: no fault, whatever the address). The
 * address is computed as an integer, since p + ahead may lie past the end of p's array. */
KILN_INLINE void kiln_prefetch_(const float *p, size_t ahead) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch((const void *)((uintptr_t)p + ahead * sizeof(float)), 0, 3);
#else
    (void)p, (void)ahead;
#endif
}

/* Floats per 64-byte cache line. */
#define KILN_LINE_FLOATS 16

/* Asks for the cache line at p to be brought into L2 (a hint, as kiln_prefetch_). */
KILN_INLINE void kiln_prefetch_l2_(const float *p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch((const void *)p, 0, 2);
#else
    (void)p;
#endif
}

#if defined(KILN_TARGET_AVX512)
#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "KILN_TARGET_AVX512 needs a compiler targeting AVX-512F and DQ (-mavx512f -mavx512dq -mfma, -march=native)"
#endif
#include <immintrin.h>
#define KILN_VW 16
#define KILN_ISA_NAME "avx512"
typedef __m512 kiln_v;
KILN_INLINE kiln_v kiln_v_load(const float *p) { return _mm512_loadu_ps(p); }
KILN_INLINE void kiln_v_store(float *p, kiln_v v) { _mm512_storeu_ps(p, v); }
KILN_INLINE kiln_v kiln_v_set1(float x) { return _mm512_set1_ps(x); }
KILN_INLINE kiln_v kiln_v_zero(void) { return _mm512_setzero_ps(); }
KILN_INLINE kiln_v kiln_v_add(kiln_v a, kiln_v b) { return _mm512_add_ps(a, b); }
KILN_INLINE kiln_v kiln_v_sub(kiln_v a, kiln_v b) { return _mm512_sub_ps(a, b); }
KILN_INLINE kiln_v kiln_v_mul(kiln_v a, kiln_v b) { return _mm512_mul_ps(a, b); }
KILN_INLINE kiln_v kiln_v_div(kiln_v a, kiln_v b) { return _mm512_div_ps(a, b); }
KILN_INLINE kiln_v kiln_v_fma(kiln_v a, kiln_v b, kiln_v c) { return _mm512_fmadd_ps(a, b, c); } /* a*b+c */
KILN_INLINE kiln_v kiln_v_fms(kiln_v a, kiln_v b, kiln_v c) { return _mm512_fmsub_ps(a, b, c); } /* a*b-c */
KILN_INLINE kiln_v kiln_v_max(kiln_v a, kiln_v b) { return _mm512_max_ps(a, b); }
KILN_INLINE kiln_v kiln_v_min(kiln_v a, kiln_v b) { return _mm512_min_ps(a, b); }
KILN_INLINE kiln_v kiln_v_abs(kiln_v a) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)));
}
/* the first n (1 <= n <= KILN_VW) lanes; the other lanes read as 0 and are not written. */
KILN_INLINE kiln_v kiln_v_loadn(const float *p, size_t n) {
    return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), p);
}
KILN_INLINE void kiln_v_storen(float *p, kiln_v v, size_t n) {
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1u), v);
}
/* lanes where s < 0 take a, the others b */
KILN_INLINE kiln_v kiln_v_select_neg(kiln_v s, kiln_v a, kiln_v b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s, _mm512_setzero_ps(), _CMP_LT_OQ), b, a);
}
/* float bits << 23 + bias of 1.0f: see kiln_v_exp_nonpos */
KILN_INLINE kiln_v kiln_v_pow2_of_magic(kiln_v t) {
    __m512i i = _mm512_slli_epi32(_mm512_castps_si512(t), 23);
    return _mm512_castsi512_ps(_mm512_add_epi32(i, _mm512_set1_epi32(0x3f800000)));
}
/* p * 2^n for n = t - 1.5*2^23 an integer in [-126, 127] (see kiln_v_exp_): one vscalefps instead of building
 * 2^n from t's bits and multiplying; the same result, since scaling by a power of two is exact here. */
KILN_INLINE kiln_v kiln_v_scale_pow2_(kiln_v p, kiln_v n, kiln_v t) { (void)t; return _mm512_scalef_ps(p, n); }
/* 1/d: 14-bit estimate and one Newton step (about 1 ulp; three FMA-pipe operations: the sigmoid below divides) */
KILN_INLINE kiln_v kiln_v_recip(kiln_v d) {
    __m512 r = _mm512_rcp14_ps(d);
    return _mm512_fmadd_ps(_mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.0f)), r, r);
}
KILN_INLINE float kiln_v_reduce_add(kiln_v v) { return _mm512_reduce_add_ps(v); }
KILN_INLINE float kiln_v_reduce_max(kiln_v v) { return _mm512_reduce_max_ps(v); }

#elif defined(KILN_TARGET_AVX2)
#if !defined(__AVX2__) || !defined(__FMA__)
#error "KILN_TARGET_AVX2 needs a compiler targeting AVX2 and FMA (e.g. -mavx2 -mfma)"
#endif
#include <immintrin.h>
#define KILN_VW 8
#define KILN_ISA_NAME "avx2"
typedef __m256 kiln_v;
KILN_INLINE kiln_v kiln_v_load(const float *p) { return _mm256_loadu_ps(p); }
KILN_INLINE void kiln_v_store(float *p, kiln_v v) { _mm256_storeu_ps(p, v); }
KILN_INLINE kiln_v kiln_v_set1(float x) { return _mm256_set1_ps(x); }
KILN_INLINE kiln_v kiln_v_zero(void) { return _mm256_setzero_ps(); }
KILN_INLINE kiln_v kiln_v_add(kiln_v a, kiln_v b) { return _mm256_add_ps(a, b); }
KILN_INLINE kiln_v kiln_v_sub(kiln_v a, kiln_v b) { return _mm256_sub_ps(a, b); }
KILN_INLINE kiln_v kiln_v_mul(kiln_v a, kiln_v b) { return _mm256_mul_ps(a, b); }
KILN_INLINE kiln_v kiln_v_div(kiln_v a, kiln_v b) { return _mm256_div_ps(a, b); }
KILN_INLINE kiln_v kiln_v_fma(kiln_v a, kiln_v b, kiln_v c) { return _mm256_fmadd_ps(a, b, c); }
KILN_INLINE kiln_v kiln_v_fms(kiln_v a, kiln_v b, kiln_v c) { return _mm256_fmsub_ps(a, b, c); }
KILN_INLINE kiln_v kiln_v_max(kiln_v a, kiln_v b) { return _mm256_max_ps(a, b); }
KILN_INLINE kiln_v kiln_v_min(kiln_v a, kiln_v b) { return _mm256_min_ps(a, b); }
KILN_INLINE kiln_v kiln_v_abs(kiln_v a) {
    return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}
KILN_INLINE __m256i kiln_v_mask_(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
KILN_INLINE kiln_v kiln_v_loadn(const float *p, size_t n) { return _mm256_maskload_ps(p, kiln_v_mask_(n)); }
KILN_INLINE void kiln_v_storen(float *p, kiln_v v, size_t n) { _mm256_maskstore_ps(p, kiln_v_mask_(n), v); }
KILN_INLINE kiln_v kiln_v_select_neg(kiln_v s, kiln_v a, kiln_v b) { return _mm256_blendv_ps(b, a, s); }
KILN_INLINE kiln_v kiln_v_pow2_of_magic(kiln_v t) {
    __m256i i = _mm256_slli_epi32(_mm256_castps_si256(t), 23);
    return _mm256_castsi256_ps(_mm256_add_epi32(i, _mm256_set1_epi32(0x3f800000)));
}
KILN_INLINE kiln_v kiln_v_scale_pow2_(kiln_v p, kiln_v n, kiln_v t) { (void)n; return kiln_v_mul(p, kiln_v_pow2_of_magic(t)); }
/* 1/d: 12-bit estimate and one Newton step (about 2^-22 relative) */
KILN_INLINE kiln_v kiln_v_recip(kiln_v d) {
    __m256 r = _mm256_rcp_ps(d);
    return _mm256_fmadd_ps(_mm256_fnmadd_ps(d, r, _mm256_set1_ps(1.0f)), r, r);
}
KILN_INLINE float kiln_v_reduce_add(kiln_v v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
KILN_INLINE float kiln_v_reduce_max(kiln_v v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#else
/* Generic: portable C11. A "vector" is one float: kernels then become plain loops over channels and unrolled
 * scalar register tiles, which compilers vectorize by themselves (and which compile quickly). */
#define KILN_VW 1
#define KILN_ISA_NAME "generic"
typedef float kiln_v;
KILN_INLINE kiln_v kiln_v_load(const float *p) { return *p; }
KILN_INLINE void kiln_v_store(float *p, kiln_v v) { *p = v; }
KILN_INLINE kiln_v kiln_v_set1(float x) { return x; }
KILN_INLINE kiln_v kiln_v_zero(void) { return 0.0f; }
KILN_INLINE kiln_v kiln_v_add(kiln_v a, kiln_v b) { return a + b; }
KILN_INLINE kiln_v kiln_v_sub(kiln_v a, kiln_v b) { return a - b; }
KILN_INLINE kiln_v kiln_v_mul(kiln_v a, kiln_v b) { return a * b; }
KILN_INLINE kiln_v kiln_v_div(kiln_v a, kiln_v b) { return a / b; }
KILN_INLINE kiln_v kiln_v_fma(kiln_v a, kiln_v b, kiln_v c) { return a * b + c; }
KILN_INLINE kiln_v kiln_v_fms(kiln_v a, kiln_v b, kiln_v c) { return a * b - c; }
KILN_INLINE kiln_v kiln_v_max(kiln_v a, kiln_v b) { return a > b ? a : b; }
KILN_INLINE kiln_v kiln_v_min(kiln_v a, kiln_v b) { return a < b ? a : b; }
KILN_INLINE kiln_v kiln_v_abs(kiln_v a) { return a < 0.0f ? -a : a; }
KILN_INLINE kiln_v kiln_v_loadn(const float *p, size_t n) { (void)n; return *p; } /* n is 1 */
KILN_INLINE void kiln_v_storen(float *p, kiln_v v, size_t n) { (void)n; *p = v; }
KILN_INLINE kiln_v kiln_v_select_neg(kiln_v s, kiln_v a, kiln_v b) { return s < 0.0f ? a : b; }
KILN_INLINE kiln_v kiln_v_pow2_of_magic(kiln_v t) {
    uint32_t u;
    float r;
    memcpy(&u, &t, 4);
    u = (u << 23) + 0x3f800000u;
    memcpy(&r, &u, 4);
    return r;
}
KILN_INLINE kiln_v kiln_v_scale_pow2_(kiln_v p, kiln_v n, kiln_v t) { (void)n; return p * kiln_v_pow2_of_magic(t); }
KILN_INLINE kiln_v kiln_v_recip(kiln_v d) { return 1.0f / d; }
KILN_INLINE float kiln_v_reduce_add(kiln_v v) { return v; }
KILN_INLINE float kiln_v_reduce_max(kiln_v v) { return v; }
#endif

/* The constants of the activations (exp and sigmoid, and the clamps of ReLU6 and hard-swish), as a table:
 * kiln_exp_consts_() gives it as it is (the compiler folds the reads into constants, and keeps them in registers
 * where it likes), kiln_exp_consts_opaque_() through an empty asm statement the compiler cannot see through, so that
 * each use loads its constant where it is needed (an embedded broadcast, often). Register-blocked GEMM tiles use the
 * opaque form: with constants the compiler hoisted them out of the tile loops and kept some in registers across the
 * k loop, which then spilled accumulators (the 14 x 32 tile needs 31 of the 32 zmm registers) in every k step
 * (hard-swish's 0, 3, 6 and 1/6 spilled three of them). Kernels with spare registers (depthwise, the stem) are
 * faster with the constants in registers. */
enum {
    KILN_EXP_MAGIC, /* 1.5 * 2^23 */
    KILN_EXP_LOG2E,
    KILN_EXP_NEG_LOG2E,
    KILN_EXP_C5, /* 2^f ~ C0 + C1 f + ... + C5 f^5 on [-1/2, 1/2], fitted for relative error */
    KILN_EXP_C4,
    KILN_EXP_C3,
    KILN_EXP_C2,
    KILN_EXP_C1,
    KILN_EXP_C0, /* 1 */
    KILN_EXP_MIN, /* -87 */
    KILN_EXP_MAX, /* 87 */
    KILN_ACT_ZERO, /* ReLU's, ReLU6's and hard-swish's constants */
    KILN_ACT_THREE,
    KILN_ACT_SIX,
    KILN_ACT_SIXTH, /* 1/6 */
    KILN_EXP_TMAGIC, /* 1.5 * 2^19, whose ulp is 1/16 (AVX-512's exp, below) */
    KILN_EXP_Q3,     /* 2^r ~ 1 + r (Q1 + Q2 r + Q3 r^2) on [-1/32, 1/32], fitted for relative error (2.3e-9) */
    KILN_EXP_Q2,
    KILN_EXP_Q1,
    KILN_EXP_T16 = 32, /* 2^(j/16) for j = 0..15, at a 64-byte boundary (the table is aligned): one vpermps operand */
    KILN_EXP_CONSTS_ = KILN_EXP_T16 + 16
};
KILN_INLINE const float *kiln_exp_consts_(void) {
    static const _Alignas(64) float k[KILN_EXP_CONSTS_] = {
        12582912.0f, 1.44269504088896341f, -1.44269504088896341f,
        1.326472614891827e-3f, 9.671512991189957e-3f, 5.550733581185341e-2f, 2.4022242426872253e-1f,
        6.931470036506653e-1f, 1.0f,
        -87.0f, 87.0f,
        0.0f, 3.0f, 6.0f, 1.0f / 6.0f,
        786432.0f, 5.550279840826988e-2f, 2.4023588001728058e-1f, 6.931471824645996e-1f,
        [KILN_EXP_T16] = 1.0f, 1.0442737340927124f, 1.0905077457427979f, 1.1387885808944702f, 1.1892070770263672f,
        1.2418577671051025f, 1.2968395948410034f, 1.3542555570602417f, 1.4142135381698608f, 1.4768261909484863f,
        1.5422108173370361f, 1.610490322113037f, 1.6817928552627563f, 1.7562521696090698f, 1.8340080976486206f,
        1.9152065515518188f};
    return k;
}
KILN_INLINE const float *kiln_exp_consts_opaque_(void) {
    const float *p = kiln_exp_consts_();
#if defined(__GNUC__) || defined(__clang__)
    __asm__ volatile("" : "+r"(p));
#endif
    return p;
}

/* c[0] x^5 + c[1] x^4 + ... + c[5], by Horner's rule: five FMAs. */
KILN_INLINE kiln_v kiln_v_poly5_(kiln_v x, const float *c) {
    kiln_v p = kiln_v_set1(c[0]);
    KILN_UNROLL for (int i = 1; i <= 5; i++) p = kiln_v_fma(p, x, kiln_v_set1(c[i]));
    return p;
}

/* exp(s * x) for x in [-87, 87] and s = k[si], +-log2(e) (callers clamp; the sign of exp(-x) folds into s).
 * Range reduction in base 2: s*x = n + f with n the nearest integer, found by adding 1.5*2^23 (t's float bits then
 * hold n in their low mantissa bits, from which 2^n is built: kiln_v_pow2_of_magic), and |f| <= 1/2 computed by
 * one fma from x itself, so the rounding of s*x costs nothing; 2^f by a degree-5 polynomial fitted for relative
 * error on [-1/2, 1/2] (1.6e-7 in float arithmetic, 1.1e-6 at |x| = 87 from s's own rounding); then times 2^n,
 * which stays a normal float for |x| <= 87. Nine vector operations (the Cephes form it replaces took fifteen). */
KILN_INLINE kiln_v kiln_v_exp_scaled_(kiln_v x, const float *k, int si) {
    kiln_v t = kiln_v_fma(x, kiln_v_set1(k[si]), kiln_v_set1(k[KILN_EXP_MAGIC]));
    kiln_v n = kiln_v_sub(t, kiln_v_set1(k[KILN_EXP_MAGIC]));
    kiln_v f = kiln_v_fms(x, kiln_v_set1(k[si]), n);
    return kiln_v_scale_pow2_(kiln_v_poly5_(f, k + KILN_EXP_C5), n, t);
}

/* exp(x) for x <= 0 (x below -87 is treated as -87, giving ~1.6e-38 instead of a denormal or 0). */
KILN_INLINE kiln_v kiln_v_exp_nonpos(kiln_v x) {
    const float *k = kiln_exp_consts_();
    return kiln_v_exp_scaled_(kiln_v_max(x, kiln_v_set1(k[KILN_EXP_MIN])), k, KILN_EXP_LOG2E);
}

/* 1 / (1 + exp(-x)) with x clamped to [-87, 87], so exp(-x) is a normal float in [1.6e-38, 6.1e37]: no overflow,
 * and no branch on the sign (1 + exp(-x) is then at most 6.1e37, whose reciprocal is still normal). Outside the
 * clamp the true value is within 1.6e-38 of 0 or 1. k: kiln_exp_consts_() or kiln_exp_consts_opaque_(). */
#if defined(KILN_TARGET_AVX512)
/* AVX-512 computes exp(-x) to spare the two FMA pipes: on AMD Zen 4 they do the multiplies, the reciprocal estimate
 * and the polynomials, while additions, min/max and vrangeps issue beside them on two other pipes, vpermps costs
 * them about 0.4 cycle, vscalefps issues on its own (one per two cycles) and vdivps on the divider (one per six
 * cycles, where kiln_v_recip took three FMA-pipe operations). exp(-x) = 2^y, y = -x log2(e), x clamped by one
 * vrangeps (sign(x) * min(|x|, 87)): 2^(n/16) * 2^r with n/16 the multiple of 1/16 nearest y (an fma adding
 * 1.5 * 2^19, whose ulp is 1/16, leaves n in the low mantissa bits), r = y - n/16 in [-1/32, 1/32] from one more
 * fma of x itself (so y is never rounded), 2^(j/16), j = n mod 16 (the low four bits), looked up by one vpermps in a
 * 16-entry table, 2^r a degree-3 polynomial, and 2^floor(n/16) applied by vscalefps. Six FMA-pipe operations where
 * the degree-5 polynomial on [0, 1) after vreduceps took ten with the reciprocal; tv_b0's SiLUs took 13 % of its
 * time. The sigmoid's and SiLU's relative error is at most 4.4e-7 over every float with |x| <= 20 (kernels_test.c
 * checks 6e-7; the form it replaces reached 1.1e-6), growing to 1.3e-6 towards x = -87 (where the sigmoid is
 * below 1e-37): log2(e)'s own rounding times |y|. The sigmoid of NaN is a number (vrangeps returns 87 with the
 * NaN's sign), as with the clamp of the other targets; SiLU of NaN is NaN. */
KILN_INLINE kiln_v kiln_v_exp_neg_(kiln_v x, const float *k) {
    x = _mm512_range_ps(x, kiln_v_set1(k[KILN_EXP_MAX]), 0x02);
    kiln_v t = kiln_v_fma(x, kiln_v_set1(k[KILN_EXP_NEG_LOG2E]), kiln_v_set1(k[KILN_EXP_TMAGIC]));
    kiln_v n = kiln_v_sub(t, kiln_v_set1(k[KILN_EXP_TMAGIC]));
    kiln_v r = kiln_v_fms(x, kiln_v_set1(k[KILN_EXP_NEG_LOG2E]), n);
    kiln_v tj = _mm512_permutexvar_ps(_mm512_castps_si512(t), _mm512_loadu_ps(k + KILN_EXP_T16));
    kiln_v q = kiln_v_fma(kiln_v_fma(kiln_v_set1(k[KILN_EXP_Q3]), r, kiln_v_set1(k[KILN_EXP_Q2])), r,
                          kiln_v_set1(k[KILN_EXP_Q1]));
    return _mm512_scalef_ps(kiln_v_fma(kiln_v_mul(tj, r), q, tj), n);
}
KILN_INLINE kiln_v kiln_v_sigmoid_k_(kiln_v x, const float *k) {
    kiln_v one = kiln_v_set1(k[KILN_EXP_C0]);
    return _mm512_div_ps(one, kiln_v_add(one, kiln_v_exp_neg_(x, k)));
}
/* x sigmoid(x) = x / (1 + exp(-x)): the division takes the multiply's place. */
KILN_INLINE kiln_v kiln_v_silu_k_(kiln_v x, const float *k) {
    return _mm512_div_ps(x, kiln_v_add(kiln_v_set1(k[KILN_EXP_C0]), kiln_v_exp_neg_(x, k)));
}
#else
KILN_INLINE kiln_v kiln_v_sigmoid_k_(kiln_v x, const float *k) {
    x = kiln_v_min(kiln_v_max(x, kiln_v_set1(k[KILN_EXP_MIN])), kiln_v_set1(k[KILN_EXP_MAX]));
    return kiln_v_recip(kiln_v_add(kiln_v_set1(k[KILN_EXP_C0]), kiln_v_exp_scaled_(x, k, KILN_EXP_NEG_LOG2E)));
}
KILN_INLINE kiln_v kiln_v_silu_k_(kiln_v x, const float *k) { return kiln_v_mul(x, kiln_v_sigmoid_k_(x, k)); }
#endif
KILN_INLINE kiln_v kiln_v_sigmoid(kiln_v x) { return kiln_v_sigmoid_k_(x, kiln_exp_consts_()); }

#endif
