/*
 * Output-stage kernels compiled twice, for AVX2 and for the x86-64 baseline, the loader
 * picking one by CPU (target_clones), and the sigmoid stage a third time, 16 lanes wide, for
 * AVX-512 (chosen at run time): the Swift code targets the baseline so the library runs
 * anywhere, and its 8-lane SIMD then runs as two SSE halves. Names start aevec_, not ae_, so
 * the library's export list (ae_* only) leaves them out.
 *
 * The arithmetic is VectorMath's (Tensor/VectorMath.swift) step for step, with no fused
 * multiply-adds (contraction is off), so results equal the Swift functions bit for bit
 * whatever the width; Tests/TensorTests checks that.
 */
#include "CVector.h"

#pragma clang fp contract(off)

typedef unsigned int ae_uint8v __attribute__((ext_vector_type(8)));
typedef float ae_float16v __attribute__((ext_vector_type(16)));
typedef unsigned int ae_uint16v __attribute__((ext_vector_type(16)));

/* The output stage's arithmetic, written once for W lanes (8 for the AVX2 and baseline clones,
 * 16 for AVX-512): the same IEEE operations in the same order in every lane, so every width
 * gives the same bits. Vectors go by pointer: passing 256-bit vectors by value to a function
 * differs between the clones' ABIs, which the compiler refuses even when it inlines. */
#define OUTPUT_STAGE(W, FLOATS, UINTS)                                                                      \
  static inline __attribute__((always_inline)) void exp##W(FLOATS *value) {                               \
    FLOATS x = *value;                                                                                     \
    /* Clamped to [-87, 88] by compare and blend, as VectorMath does: a NaN stays NaN (the           \
     * elementwise min/max builtins would return the bound, and a NaN logit would come out 1). */     \
    UINTS below = (UINTS)(x < -87.0f), above = (UINTS)(x > 88.0f);                                         \
    x = (FLOATS)(((UINTS)(FLOATS)(-87.0f) & below) | ((UINTS)x & ~below));                                 \
    x = (FLOATS)(((UINTS)(FLOATS)(88.0f) & above) | ((UINTS)x & ~above));                                  \
    const FLOATS magic = (FLOATS)(12582912.0f);                                                            \
    FLOATS shifted = x * 1.4426950408889634f + magic;                                                      \
    FLOATS n = shifted - magic;                                                                            \
    FLOATS r = x - n * 0.693359375f + n * 2.1219444005469058e-4f;                                          \
    FLOATS p = (FLOATS)(1.9875691500e-4f);                                                                 \
    p = p * r + 1.3981999507e-3f;                                                                          \
    p = p * r + 8.3334519073e-3f;                                                                          \
    p = p * r + 4.1665795894e-2f;                                                                          \
    p = p * r + 1.6666665459e-1f;                                                                          \
    p = p * r + 5.0000001201e-1f;                                                                          \
    FLOATS y = p * r * r + r + 1.0f;                                                                       \
    UINTS bits = (((UINTS)shifted - 0x4B400000u + 127u) << 23);                                            \
    *value = y * (FLOATS)bits;                                                                             \
  }                                                                                                        \
  static inline __attribute__((always_inline)) void sigmoid##W(FLOATS *value) {                           \
    FLOATS z = *value;                                                                                     \
    FLOATS e = -(FLOATS)((UINTS)z & 0x7FFFFFFFu);                                                          \
    exp##W(&e);                                                                                            \
    FLOATS inverse = 1.0f / (1.0f + e);                                                                    \
    FLOATS low = e * inverse;                                                                              \
    /* low where z < 0, else inverse: a bitwise blend, which stays one vector operation. */                \
    UINTS negative = (UINTS)(z < 0);                                                                       \
    *value = (FLOATS)(((UINTS)low & negative) | ((UINTS)inverse & ~negative));                             \
  }                                                                                                        \
  /* The inverse of the affine input scaling, x = y / scale + offset, on W values of column j:            \
   * the one place it is written (Scaling.invert and the sigmoid output stage both use it). */            \
  static inline __attribute__((always_inline)) void unscale##W(FLOATS *value, size_t j, size_t lanes,     \
                                                               const float *offset, const float *scale) {  \
    FLOATS s = (FLOATS)(1.0f), o = (FLOATS)(0.0f);                                                         \
    if (lanes == W) {                                                                                      \
      __builtin_memcpy(&s, scale + j, sizeof s);                                                           \
      __builtin_memcpy(&o, offset + j, sizeof o);                                                          \
    } else {                                                                                               \
      __builtin_memcpy(&s, scale + j, lanes * sizeof(float));                                              \
      __builtin_memcpy(&o, offset + j, lanes * sizeof(float));                                             \
    }                                                                                                      \
    *value = *value / s + o;                                                                               \
  }                                                                                                        \
  static inline __attribute__((always_inline)) void sigmoid_rows##W(const float *z, float *out, size_t rows,  \
                                                                    size_t width, const float *offset,      \
                                                                    const float *scale) {                   \
    for (size_t r = 0; r < rows; r++) {                                                                    \
      const float *in = z + r * width;                                                                     \
      float *to = out + r * width;                                                                         \
      size_t j = 0;                                                                                        \
      for (; j + W <= width; j += W) { /* whole vectors: plain loads and stores */                         \
        FLOATS v;                                                                                          \
        __builtin_memcpy(&v, in + j, sizeof v);                                                            \
        sigmoid##W(&v);                                                                                    \
        if (scale) unscale##W(&v, j, W, offset, scale);                                                    \
        __builtin_memcpy(to + j, &v, sizeof v);                                                            \
      }                                                                                                    \
      if (j < width) {                                                                                     \
        size_t lanes = width - j;                                                                          \
        FLOATS v = (FLOATS)(0.0f);                                                                         \
        __builtin_memcpy(&v, in + j, lanes * sizeof(float));                                               \
        sigmoid##W(&v);                                                                                    \
        if (scale) unscale##W(&v, j, lanes, offset, scale);                                                \
        __builtin_memcpy(to + j, &v, lanes * sizeof(float));                                               \
      }                                                                                                    \
    }                                                                                                      \
  }

OUTPUT_STAGE(8, ae_float8, ae_uint8v)
OUTPUT_STAGE(16, ae_float16v, ae_uint16v)

__attribute__((target_clones("avx2", "default")))
void aevec_unscale_rows(float *values, size_t rows, size_t width, const float *offset, const float *scale) {
  for (size_t r = 0; r < rows; r++) {
    float *row = values + r * width;
    for (size_t j = 0; j < width; j += 8) {
      size_t lanes = width - j < 8 ? width - j : 8;
      ae_float8 v = (ae_float8)(0.0f);
      __builtin_memcpy(&v, row + j, lanes * sizeof(float));
      unscale8(&v, j, lanes, offset, scale);
      __builtin_memcpy(row + j, &v, lanes * sizeof(float));
    }
  }
}

/* 16 lanes where the CPU has AVX-512 (a sixth of a batch's time went to the 8-lane clone). */
__attribute__((target("avx512f,avx512dq"))) static void sigmoid_rows_avx512(const float *z, float *out, size_t rows,
                                                                            size_t width, const float *offset,
                                                                            const float *scale) {
  sigmoid_rows16(z, out, rows, width, offset, scale);
}

__attribute__((target_clones("avx2", "default")))
static void sigmoid_rows_narrow(const float *z, float *out, size_t rows, size_t width, const float *offset,
                                const float *scale) {
  sigmoid_rows8(z, out, rows, width, offset, scale);
}

/* Whether this CPU runs the 16-lane AVX-512 clones. */
static int has_avx512(void) {
  static int wide = -1; /* computed once; racing first calls compute the same value */
  int answer = __atomic_load_n(&wide, __ATOMIC_RELAXED);
  if (answer < 0) {
    __builtin_cpu_init();
    answer = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    __atomic_store_n(&wide, answer, __ATOMIC_RELAXED);
  }
  return answer;
}

void aevec_sigmoid_rows(const float *z, float *out, size_t rows, size_t width, const float *offset, const float *scale) {
  if (has_avx512()) sigmoid_rows_avx512(z, out, rows, width, offset, scale);
  else sigmoid_rows_narrow(z, out, rows, width, offset, scale);
}

/* One step of fast Griffin-Lim on one frame of `bins` interleaved complex values (see
 * GriffinLim.update, whose loop this was): u = rebuilt - decay * previous; spectrum =
 * magnitude * (u / (|u| + tiny)); previous = rebuilt. Eight bins at a time, deinterleaved;
 * the arithmetic is the same IEEE operations in the same order in every lane (square root and
 * division are exact in both clones), so both clones give the same bits. */
__attribute__((target_clones("avx2", "default")))
void aevec_griffin_lim_update(float *spectrum, float *previous, const float *rebuilt, const float *magnitude,
                              float decay, size_t bins) {
  const float tiny = 1.17549435e-38f; /* FLT_MIN, Float.leastNormalMagnitude */
  size_t k = 0;
  for (; k + 8 <= bins; k += 8) {
    ae_float8 r0, r1, p0, p1, s;
    __builtin_memcpy(&r0, rebuilt + 2 * k, sizeof r0);
    __builtin_memcpy(&r1, rebuilt + 2 * k + 8, sizeof r1);
    __builtin_memcpy(&p0, previous + 2 * k, sizeof p0);
    __builtin_memcpy(&p1, previous + 2 * k + 8, sizeof p1);
    __builtin_memcpy(&s, magnitude + k, sizeof s);
    __builtin_memcpy(previous + 2 * k, &r0, sizeof r0);
    __builtin_memcpy(previous + 2 * k + 8, &r1, sizeof r1);
    ae_float8 rr = __builtin_shufflevector(r0, r1, 0, 2, 4, 6, 8, 10, 12, 14);
    ae_float8 ri = __builtin_shufflevector(r0, r1, 1, 3, 5, 7, 9, 11, 13, 15);
    ae_float8 pr = __builtin_shufflevector(p0, p1, 0, 2, 4, 6, 8, 10, 12, 14);
    ae_float8 pi = __builtin_shufflevector(p0, p1, 1, 3, 5, 7, 9, 11, 13, 15);
    ae_float8 ur = rr - decay * pr, ui = ri - decay * pi;
    ae_float8 inverse = 1.0f / (__builtin_elementwise_sqrt(ur * ur + ui * ui) + tiny);
    ae_float8 zr = s * (ur * inverse), zi = s * (ui * inverse);
    ae_float8 z0 = __builtin_shufflevector(zr, zi, 0, 8, 1, 9, 2, 10, 3, 11);
    ae_float8 z1 = __builtin_shufflevector(zr, zi, 4, 12, 5, 13, 6, 14, 7, 15);
    __builtin_memcpy(spectrum + 2 * k, &z0, sizeof z0);
    __builtin_memcpy(spectrum + 2 * k + 8, &z1, sizeof z1);
  }
  for (; k < bins; k++) {
    float rr = rebuilt[2 * k], ri = rebuilt[2 * k + 1];
    float ur = rr - decay * previous[2 * k], ui = ri - decay * previous[2 * k + 1];
    previous[2 * k] = rr;
    previous[2 * k + 1] = ri;
    float inverse = 1.0f / (__builtin_sqrtf(ur * ur + ui * ui) + tiny);
    spectrum[2 * k] = magnitude[k] * (ur * inverse);
    spectrum[2 * k + 1] = magnitude[k] * (ui * inverse);
  }
}

/* Griffin-Lim inverts two frames per complex FFT (GriffinLim.inversePairs): their spectra a
 * and b (half + 1 interleaved bins each) become the n = 2 half bins of A + iB, A and B
 * extended by conjugate symmetry (A[n - k] = conj A[k]); the imaginary parts of bins 0 and
 * half are ignored, as a c2r transform ignores them. Additions only, so both clones agree. */
__attribute__((target_clones("avx2", "default")))
void aevec_pair_spectra(float *pairs, const float *a, const float *b, size_t half) {
  size_t n = 2 * half, k = 1;
  pairs[0] = a[0];
  pairs[1] = b[0];
  pairs[2 * half] = a[2 * half];
  pairs[2 * half + 1] = b[2 * half];
  for (; k + 8 <= half; k += 8) {
    ae_float8 a0, a1, b0, b1;
    __builtin_memcpy(&a0, a + 2 * k, sizeof a0);
    __builtin_memcpy(&a1, a + 2 * k + 8, sizeof a1);
    __builtin_memcpy(&b0, b + 2 * k, sizeof b0);
    __builtin_memcpy(&b1, b + 2 * k + 8, sizeof b1);
    ae_float8 ar = __builtin_shufflevector(a0, a1, 0, 2, 4, 6, 8, 10, 12, 14);
    ae_float8 ai = __builtin_shufflevector(a0, a1, 1, 3, 5, 7, 9, 11, 13, 15);
    ae_float8 br = __builtin_shufflevector(b0, b1, 0, 2, 4, 6, 8, 10, 12, 14);
    ae_float8 bi = __builtin_shufflevector(b0, b1, 1, 3, 5, 7, 9, 11, 13, 15);
    ae_float8 fr = ar - bi, fi = ai + br;       /* bins k ... k + 7 */
    ae_float8 mr = ar + bi, mi = br - ai;       /* bins n - k ... n - k - 7, descending */
    ae_float8 f0 = __builtin_shufflevector(fr, fi, 0, 8, 1, 9, 2, 10, 3, 11);
    ae_float8 f1 = __builtin_shufflevector(fr, fi, 4, 12, 5, 13, 6, 14, 7, 15);
    ae_float8 m0 = __builtin_shufflevector(mr, mi, 7, 15, 6, 14, 5, 13, 4, 12);
    ae_float8 m1 = __builtin_shufflevector(mr, mi, 3, 11, 2, 10, 1, 9, 0, 8);
    __builtin_memcpy(pairs + 2 * k, &f0, sizeof f0);
    __builtin_memcpy(pairs + 2 * k + 8, &f1, sizeof f1);
    __builtin_memcpy(pairs + 2 * (n - k - 7), &m0, sizeof m0);
    __builtin_memcpy(pairs + 2 * (n - k - 7) + 8, &m1, sizeof m1);
  }
  for (; k < half; k++) {
    float ar = a[2 * k], ai = a[2 * k + 1], br = b[2 * k], bi = b[2 * k + 1];
    pairs[2 * k] = ar - bi;
    pairs[2 * k + 1] = ai + br;
    pairs[2 * (n - k)] = ar + bi;
    pairs[2 * (n - k) + 1] = br - ai;
  }
}

/* out[i] += samples[2 i + part] * window[i] for i < n: one frame of a pair's inverse (part 0
 * the real parts, 1 the imaginary ones), windowed and overlap-added. */
__attribute__((target_clones("avx2", "default")))
void aevec_overlap_add(float *out, const float *samples, size_t part, const float *window, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    ae_float8 s0, s1, w, o;
    __builtin_memcpy(&s0, samples + 2 * i, sizeof s0);
    __builtin_memcpy(&s1, samples + 2 * i + 8, sizeof s1);
    __builtin_memcpy(&w, window + i, sizeof w);
    __builtin_memcpy(&o, out + i, sizeof o);
    ae_float8 x = part == 0 ? __builtin_shufflevector(s0, s1, 0, 2, 4, 6, 8, 10, 12, 14)
                            : __builtin_shufflevector(s0, s1, 1, 3, 5, 7, 9, 11, 13, 15);
    o = o + x * w;
    __builtin_memcpy(out + i, &o, sizeof o);
  }
  for (; i < n; i++) out[i] += samples[2 * i + part] * window[i];
}

/* The anomaly score's neighbour search (AnomalySettings.TrainingCodes.neighbourDistance): the
 * squared distances from z to 16 codes at once, axis by axis in axis order (the same IEEE
 * operations in every lane and every clone), and an insertion into `best` only for a block
 * with a code nearer than the last kept. NaN padding codes compare as nearer than nothing. */
#define NEAREST(W, FLOATS)                                                                                 \
  static inline __attribute__((always_inline)) void nearest##W(const float *z, const float *columns,       \
                                                               size_t width, size_t padded, float *best,    \
                                                               size_t count) {                              \
    for (size_t block = 0; block < padded; block += 16) {                                                  \
      FLOATS squares = (FLOATS)(0.0f);                                                                      \
      for (size_t j = 0; j < width; j++) {                                                                  \
        FLOATS codes;                                                                                       \
        __builtin_memcpy(&codes, columns + j * padded + block, sizeof codes);                               \
        FLOATS difference = (FLOATS)(z[j]) - codes;                                                         \
        squares += difference * difference;                                                                 \
      }                                                                                                     \
      float lanes[W];                                                                                       \
      __builtin_memcpy(lanes, &squares, sizeof lanes);                                                      \
      float last = best[count - 1];                                                                         \
      int any = 0;                                                                                          \
      for (int lane = 0; lane < W; lane++) any |= lanes[lane] < last;                                      \
      if (!any) continue;                                                                                   \
      for (int lane = 0; lane < W; lane++) {                                                                \
        float square = lanes[lane];                                                                         \
        if (!(square < best[count - 1])) continue;                                                          \
        size_t slot = count - 1;                                                                            \
        while (slot > 0 && best[slot - 1] > square) {                                                       \
          best[slot] = best[slot - 1];                                                                      \
          slot--;                                                                                           \
        }                                                                                                   \
        best[slot] = square;                                                                                \
      }                                                                                                     \
    }                                                                                                       \
  }

NEAREST(16, ae_float16v)

__attribute__((target("avx512f,avx512dq"))) static void nearest_avx512(const float *z, const float *columns, size_t width,
                                                                       size_t padded, float *best, size_t count) {
  nearest16(z, columns, width, padded, best, count);
}

__attribute__((target_clones("avx2", "default")))
static void nearest_narrow(const float *z, const float *columns, size_t width, size_t padded, float *best, size_t count) {
  nearest16(z, columns, width, padded, best, count);
}

void aevec_nearest_squares(const float *z, const float *columns, size_t width, size_t padded, float *best, size_t count) {
  if (count == 0 || padded % 16 != 0) return;
  if (has_avx512()) nearest_avx512(z, columns, width, padded, best, count);
  else nearest_narrow(z, columns, width, padded, best, count);
}
