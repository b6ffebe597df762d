/*
 * Products with int8 weights (see CGemmInt8.h for the contract).
 *
 * VNNI: one vpdpbusd multiplies 4 unsigned activation bytes (broadcast) by 4 signed weight
 * bytes in each of 16 columns and adds the four products to 16 int32 sums: 64 multiply-adds
 * an instruction, 4 times float32's FMA. The tiles are float32's shapes (gemm.c): 6 rows by 64
 * columns for batches, 12 by 32 for a last narrow strip, up to 3 rows by 128 for single rows,
 * with k whole (the sums stay in registers; a quantized row of 784 values is 784 bytes).
 *
 * The portable kernels compute the same integer sums in plain C and the same epilogue with
 * the same IEEE operations (fmaf), so both give the same bits. Quantizing the rows has one
 * portable and one AVX-512 version, equal for the same reason: min and max do not depend on
 * the order, and each value is rounded by the same operations.
 */
#include "CGemmInt8.h"

#include <immintrin.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Every rounding below is written out: no multiply and add may fuse unless fmaf says so (the
 * library is built by clang; the standard pragma says the same to other compilers). */
#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF

#define VNNI __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx512vnni,fma")))
#define AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma")))
#define UNROLL _Pragma("clang loop unroll(full)")
#define INLINE static inline __attribute__((always_inline))

/* Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to the nearest
 * integer, ties to even, in one exact sequence any vector width reproduces. */
#define ROUNDER 12582912.0f

size_t aegemm_int8_panel_bytes(size_t k, size_t n) { return (n + 15) / 16 * ((k + 3) / 4) * 64; }
size_t aegemm_int8_column_count(size_t n) { return (n + 15) / 16 * 16; }
size_t aegemm_int8_row_bytes(size_t k) { return (k + 3) / 4 * 4; }

int aegemm_int8_pack(const float *w, size_t k, size_t n, int8_t *panels, float *scale, int32_t *column_sum) {
  if (k == 0 || k > AEGEMM_INT8_MAX_K) return -1;
  size_t groups = (k + 3) / 4, columns = aegemm_int8_column_count(n);
  memset(panels, 0, aegemm_int8_panel_bytes(k, n));
  for (size_t j = 0; j < columns; j++) {
    scale[j] = 0;
    column_sum[j] = 0;
    if (j >= n) continue;
    float largest = 0;
    for (size_t p = 0; p < k; p++) {
      float v = w[p * n + j];
      if (!isfinite(v)) return -1;
      largest = fabsf(v) > largest ? fabsf(v) : largest;
    }
    /* A column of zeros, or of values so small that their scale is 0, keeps scale 0 and q 0. */
    float s = largest / 127.0f;
    if (!(s > 0)) continue;
    scale[j] = s;
    int32_t total = 0;
    for (size_t p = 0; p < k; p++) {
      float r = nearbyintf(w[p * n + j] / s);
      int q = r > 127 ? 127 : r < -127 ? -127 : (int)r;
      panels[((j / 16) * groups + p / 4) * 64 + (j % 16) * 4 + p % 4] = (int8_t)q;
      total += q;
    }
    column_sum[j] = total;
  }
  return 0;
}

/* ---- Quantizing rows ---- */

/* The scale and zero point of a row with range lo <= 0 <= hi (all values finite: `finite`). */
INLINE void row_parameters(float lo, float hi, int finite, float *scale, float *inverse, int32_t *zero) {
  float s = (hi - lo) / 255.0f;
  if (!finite || !isfinite(s)) {
    *scale = NAN;
    *inverse = 0;
    *zero = 0;
    return;
  }
  float inv = 1.0f / s;
  if (s == 0 || !(inv <= FLT_MAX)) {
    /* A row of zeros, or of values within 1e-36 of 0 (whose scale would be subnormal): all
     * taken as 0, so the product gives the bias. */
    *scale = 1;
    *inverse = 0;
    *zero = 0;
    return;
  }
  float z = (-lo * inv + ROUNDER) - ROUNDER;
  *scale = s;
  *inverse = inv;
  *zero = !(z >= 0) ? 0 : z > 255 ? 255 : (int32_t)z;
}

static void quantize_row_portable(const float *x, size_t k, uint8_t *q, float *scale, int32_t *zero) {
  float lo = 0, hi = 0;
  int finite = 1;
  for (size_t p = 0; p < k; p++) {
    float v = x[p];
    finite &= (v - v) == 0;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  float inv;
  row_parameters(lo, hi, finite, scale, &inv, zero);
  if (isnan(*scale)) {
    memset(q, 0, aegemm_int8_row_bytes(k));
    return;
  }
  for (size_t p = 0; p < k; p++) {
    float r = (x[p] * inv + ROUNDER) - ROUNDER + (float)*zero;
    q[p] = !(r >= 0) ? 0 : r > 255 ? 255 : (uint8_t)r;
  }
  for (size_t p = k; p < aegemm_int8_row_bytes(k); p++) q[p] = 0;
}

AVX512 static void quantize_row_avx512(const float *x, size_t k, uint8_t *q, float *scale, int32_t *zero) {
  __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
  __mmask16 bad = 0;
  for (size_t p = 0; p < k; p += 16) {
    __mmask16 lanes = k - p >= 16 ? 0xFFFF : (__mmask16)((1u << (k - p)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(lanes, x + p);
    bad |= _mm512_cmp_ps_mask(_mm512_sub_ps(v, v), _mm512_setzero_ps(), _CMP_NEQ_UQ);
    lo = _mm512_min_ps(lo, v);
    hi = _mm512_max_ps(hi, v);
  }
  float inv;
  row_parameters(_mm512_reduce_min_ps(lo), _mm512_reduce_max_ps(hi), bad == 0, scale, &inv, zero);
  if (isnan(*scale)) {
    memset(q, 0, aegemm_int8_row_bytes(k));
    return;
  }
  const __m512 inverse = _mm512_set1_ps(inv), rounder = _mm512_set1_ps(ROUNDER), z = _mm512_set1_ps((float)*zero);
  const __m512 top = _mm512_set1_ps(255);
  for (size_t p = 0; p < k; p += 16) {
    __mmask16 lanes = k - p >= 16 ? 0xFFFF : (__mmask16)((1u << (k - p)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(lanes, x + p);
    __m512 r = _mm512_add_ps(_mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(v, inverse), rounder), rounder), z);
    r = _mm512_min_ps(_mm512_max_ps(r, _mm512_setzero_ps()), top);
    _mm_mask_storeu_epi8(q + p, lanes, _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(r)));
  }
  for (size_t p = k; p < aegemm_int8_row_bytes(k); p++) q[p] = 0;
}

/* ---- Which kernels ---- */

static int vnni_available(void) {
  static int known = -1;
  int answer = __atomic_load_n(&known, __ATOMIC_RELAXED);
  if (answer < 0) {
    answer = aegemm_available() && __builtin_cpu_supports("avx512vnni");
    __atomic_store_n(&known, answer, __ATOMIC_RELAXED);
  }
  return answer;
}

/* -1: not decided yet; else whether int8 products use VNNI. */
static int vnni_chosen = -1;

static int use_vnni(void) {
  int answer = __atomic_load_n(&vnni_chosen, __ATOMIC_RELAXED);
  if (answer < 0) {
    answer = vnni_available();
    __atomic_store_n(&vnni_chosen, answer, __ATOMIC_RELAXED);
  }
  return answer;
}

int aegemm_int8_use_vnni(int enabled) {
  int previous = use_vnni();
  __atomic_store_n(&vnni_chosen, enabled && vnni_available(), __ATOMIC_RELAXED);
  return previous;
}

const char *aegemm_int8_isa(void) { return use_vnni() ? "avx512-vnni" : "portable"; }

void aegemm_int8_quantize(size_t m, size_t k, const float *a, size_t lda, uint8_t *q, float *row_scale,
                          int32_t *row_zero) {
  size_t row_bytes = aegemm_int8_row_bytes(k);
  int vector = use_vnni();
  for (size_t i = 0; i < m; i++) {
    if (vector) quantize_row_avx512(a + i * lda, k, q + i * row_bytes, row_scale + i, row_zero + i);
    else quantize_row_portable(a + i * lda, k, q + i * row_bytes, row_scale + i, row_zero + i);
  }
}

/* ---- The epilogue, one entry: the same operations in both kernels ---- */

INLINE float finish(int32_t sum, int32_t zero, int32_t column_sum, float row_scale, float scale, float bias,
                    int epilogue) {
  float y = fmaf((float)(sum - zero * column_sum), row_scale * scale, bias);
  if (epilogue == AEGEMM_RELU) return 0 > y ? 0 : y; /* as vmaxps(0, y): NaN and -0 pass */
  if (epilogue == AEGEMM_LEAKY_RELU) return y > 0 ? y : y * 0.01f;
  return y;
}

/* ---- Portable kernels ---- */

static void int8_portable(size_t m, size_t j0, size_t j1, const uint8_t *q, const float *row_scale,
                          const int32_t *row_zero, const aegemm_int8_weights *w, float *c, size_t ldc,
                          const float *bias, int epilogue) {
  size_t groups = (w->k + 3) / 4, row_bytes = 4 * groups;
  for (size_t i = 0; i < m; i++) {
    const uint8_t *a = q + i * row_bytes;
    for (size_t j = j0; j < j1; j += 16) {
      const int8_t *panel = w->panels + (j / 16) * groups * 64;
      int32_t sum[16] = {0};
      for (size_t g = 0; g < groups; g++)
        for (int column = 0; column < 16; column++)
          for (int s = 0; s < 4; s++) sum[column] += (int32_t)a[4 * g + s] * panel[64 * g + 4 * column + s];
      for (size_t column = 0; column < 16 && j + column < j1; column++)
        c[i * ldc + j + column] = finish(sum[column], row_zero[i], w->column_sum[j + column], row_scale[i],
                                         w->scale[j + column], bias ? bias[j + column] : 0, epilogue);
    }
  }
}

/* ---- VNNI kernels ---- */

struct int8_product {
  const uint8_t *q;
  size_t row_bytes;
  const float *row_scale;
  const int32_t *row_zero;
  const aegemm_int8_weights *w;
  float *c;
  size_t ldc;
  const float *bias;
  int epilogue;
  size_t j1;
};

INLINE __mmask16 lanes_to(size_t column, size_t end) {
  if (column >= end) return 0;
  size_t lanes = end - column;
  return lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1);
}

/* Rows i0 ..< i0 + ROWS, columns j0 ..< j0 + 16 VECS (masked at j1; panels past it not read). */
INLINE VNNI void tile(const struct int8_product *t, size_t i0, size_t j0, const int rows, const int vecs) {
  __m512i sum[12][8];
  __mmask16 mask[8];
  const size_t groups = t->row_bytes / 4;
  const int8_t *panel[8];
  UNROLL for (int v = 0; v < vecs; v++) {
    mask[v] = lanes_to(j0 + 16 * (size_t)v, t->j1);
    panel[v] = t->w->panels + (j0 / 16 + (size_t)v) * groups * 64;
  }
  UNROLL for (int r = 0; r < rows; r++) UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_setzero_si512();
  const uint8_t *a = t->q + i0 * t->row_bytes;
  for (size_t g = 0; g < groups; g++) {
    __m512i b[8];
    UNROLL for (int v = 0; v < vecs; v++) b[v] = mask[v] ? _mm512_loadu_si512(panel[v] + 64 * g) : _mm512_setzero_si512();
    UNROLL for (int r = 0; r < rows; r++) {
      int32_t four;
      memcpy(&four, a + r * t->row_bytes + 4 * g, 4);
      __m512i av = _mm512_set1_epi32(four);
      UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_dpbusd_epi32(sum[r][v], av, b[v]);
    }
  }
  UNROLL for (int v = 0; v < vecs; v++) {
    size_t j = j0 + 16 * (size_t)v;
    if (!mask[v]) continue;
    __m512i column_sum = _mm512_maskz_loadu_epi32(mask[v], t->w->column_sum + j);
    __m512 scale = _mm512_maskz_loadu_ps(mask[v], t->w->scale + j);
    __m512 bias = t->bias ? _mm512_maskz_loadu_ps(mask[v], t->bias + j) : _mm512_setzero_ps();
    UNROLL for (int r = 0; r < rows; r++) {
      size_t i = i0 + (size_t)r;
      __m512i exact = _mm512_sub_epi32(sum[r][v], _mm512_mullo_epi32(_mm512_set1_epi32(t->row_zero[i]), column_sum));
      __m512 y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(exact), _mm512_mul_ps(_mm512_set1_ps(t->row_scale[i]), scale), bias);
      if (t->epilogue == AEGEMM_RELU) {
        y = _mm512_max_ps(_mm512_setzero_ps(), y);
      } else if (t->epilogue == AEGEMM_LEAKY_RELU) {
        __mmask16 positive = _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ);
        y = _mm512_mask_blend_ps(positive, _mm512_mul_ps(y, _mm512_set1_ps(0.01f)), y);
      }
      _mm512_mask_storeu_ps(t->c + i * t->ldc + j, mask[v], y);
    }
  }
}

#define TILE(ROWS, VECS) \
  static VNNI void tile_##ROWS##x##VECS(const struct int8_product *t, size_t i0, size_t j0) { tile(t, i0, j0, ROWS, VECS); }
TILE(1, 8) TILE(2, 8) TILE(3, 8)
TILE(1, 4) TILE(2, 4) TILE(3, 4) TILE(4, 4) TILE(5, 4) TILE(6, 4)
TILE(1, 2) TILE(2, 2) TILE(3, 2) TILE(4, 2) TILE(5, 2) TILE(6, 2)
TILE(7, 2) TILE(8, 2) TILE(9, 2) TILE(10, 2) TILE(11, 2) TILE(12, 2)

typedef void (*tile_function)(const struct int8_product *, size_t, size_t);

static tile_function tile_for(size_t rows, int vecs) {
  static const tile_function eight[] = {tile_1x8, tile_2x8, tile_3x8};
  static const tile_function four[] = {tile_1x4, tile_2x4, tile_3x4, tile_4x4, tile_5x4, tile_6x4};
  static const tile_function two[] = {tile_1x2, tile_2x2, tile_3x2, tile_4x2,  tile_5x2,  tile_6x2,
                                      tile_7x2, tile_8x2, tile_9x2, tile_10x2, tile_11x2, tile_12x2};
  return vecs == 8 ? eight[rows - 1] : vecs == 4 ? four[rows - 1] : two[rows - 1];
}

static void int8_vnni(size_t m, size_t j0, size_t j1, const uint8_t *q, const float *row_scale, const int32_t *row_zero,
                      const aegemm_int8_weights *w, float *c, size_t ldc, const float *bias, int epilogue) {
  struct int8_product t = {q, aegemm_int8_row_bytes(w->k), row_scale, row_zero, w, c, ldc, bias, epilogue, j1};
  for (size_t j = j0; j < j1;) {
    int vecs = m <= 3 ? 8 : j1 - j > 32 ? 4 : 2;
    size_t step = vecs == 8 ? 3 : vecs == 4 ? 6 : 12;
    for (size_t i = 0; i < m; i += step) tile_for(m - i < step ? m - i : step, vecs)(&t, i, j);
    j += 16 * (size_t)vecs;
  }
}

void aegemm_int8(size_t m, size_t j0, size_t j1, const uint8_t *q, const float *row_scale, const int32_t *row_zero,
                 const aegemm_int8_weights *w, float *c, size_t ldc, const float *bias, int epilogue) {
  if (m == 0 || j0 >= j1) return;
  if (use_vnni()) int8_vnni(m, j0, j1, q, row_scale, row_zero, w, c, ldc, bias, epilogue);
  else int8_portable(m, j0, j1, q, row_scale, row_zero, w, c, ldc, bias, epilogue);
}

/* ---- Over a team ---- */

struct int8_job {
  size_t m;
  const float *a;
  size_t lda;
  uint8_t *q;
  float *row_scale;
  int32_t *row_zero;
  const aegemm_int8_weights *w;
  float *c;
  size_t ldc;
  const float *bias;
  int epilogue;
  int by_rows;
};

/* Share `share`: a block of rows (quantized here), or of columns in whole panels of 16. */
static void int8_share(void *context, int share, int shares) {
  const struct int8_job *job = context;
  size_t i = (size_t)share, count = (size_t)shares, row_bytes = aegemm_int8_row_bytes(job->w->k);
  if (job->by_rows) {
    size_t base = job->m / count, extra = job->m % count;
    size_t start = i * base + (i < extra ? i : extra), rows = base + (i < extra ? 1 : 0);
    if (rows == 0) return;
    uint8_t *q = job->q + start * row_bytes;
    aegemm_int8_quantize(rows, job->w->k, job->a + start * job->lda, job->lda, q, job->row_scale + start,
                         job->row_zero + start);
    aegemm_int8(rows, 0, job->w->n, q, job->row_scale + start, job->row_zero + start, job->w,
                job->c + start * job->ldc, job->ldc, job->bias, job->epilogue);
  } else {
    size_t panels = (job->w->n + 15) / 16, base = panels / count, extra = panels % count;
    size_t start = 16 * (i * base + (i < extra ? i : extra)), end = start + 16 * (base + (i < extra ? 1 : 0));
    if (end > job->w->n) end = job->w->n;
    aegemm_int8(job->m, start, end, job->q, job->row_scale, job->row_zero, job->w, job->c, job->ldc, job->bias,
                job->epilogue);
  }
}

void aegemm_int8_team_run(aegemm_team *team, size_t m, const float *a, size_t lda, uint8_t *q, float *row_scale,
                          int32_t *row_zero, const aegemm_int8_weights *w, float *c, size_t ldc, const float *bias,
                          int epilogue) {
  if (m == 0 || w->n == 0) return;
  int threads = aegemm_team_threads(team);
  int by_rows = m >= 12 * (size_t)threads;
  size_t panels = (w->n + 15) / 16, units = by_rows ? m : panels;
  int shares = units < (size_t)threads ? (int)units : threads;
  struct int8_job job = {m, a, lda, q, row_scale, row_zero, w, c, ldc, bias, epilogue, by_rows};
  /* Too small to pay for the meeting, or one thread: quantize and multiply here. */
  if (shares < 2 || m * w->n * w->k < 131072) {
    aegemm_int8_quantize(m, w->k, a, lda, q, row_scale, row_zero);
    aegemm_int8(m, 0, w->n, q, row_scale, row_zero, w, c, ldc, bias, epilogue);
    return;
  }
  if (!by_rows) aegemm_int8_quantize(m, w->k, a, lda, q, row_scale, row_zero);
  aegemm_team_each(team, shares, int8_share, &job);
}
