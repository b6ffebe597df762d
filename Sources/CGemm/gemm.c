/*
 * The AVX-512 matrix product (see CGemm.h for the contract).
 *
 * Shape: an outer-product tile keeps ROWS x VECS accumulators of 16 floats in registers; each
 * step p loads VECS vectors of B's row p and broadcasts A(i, p) for each of the ROWS rows.
 * 12 x 2 (24 accumulators, 32 columns) for the bulk of a batch; a single row or a few rows
 * get 8 vectors (128 columns) so that at least 8 independent chains hide the FMA latency.
 *
 * Blocking: B is read in blocks of KC rows by NC columns (256 KB, in L2) while the row blocks
 * pass over it; a tile's KC x ROWS slice of A stays in L1. Between K blocks the partial sums go
 * through C, which is exact, so the order of the additions stays p = 0, 1, ..., k-1.
 *
 * B: row-major (any ldb), or packed once (a model's weights, at load) in panels of 32 columns,
 * each panel's k rows of 32 contiguous (aegemm_pack): a tile then streams one contiguous block
 * per panel, which measured 20-50 % faster than row-major B here. Packed panels are padded with
 * zeros to whole panels; bfloat16 comes packed only, its words in the order AVX-512's word
 * unpacking puts back in column order (one instruction widens 16 values, exactly).
 *
 * Edges: columns past n are masked in every load of row-major B, every load and store of C and
 * the bias (no read or write outside the matrices); panels wholly past n are not read.
 */
#include "CGemm.h"
#include "product.h"

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KC 256
#define NC 256
#define MR 12


/* Loops over a tile's rows and vectors, unrolled so the accumulators live in registers. */
#define UNROLL _Pragma("clang loop unroll(full)")

#define KERNEL __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma")))

/* Whether a format is packed in panels (see aegemm_pack), and its bytes per value. */
static inline __attribute__((always_inline)) int is_panels(int format) { return format != AEGEMM_FLOAT32; }
static inline __attribute__((always_inline)) size_t value_size(int format) {
  return format == AEGEMM_BFLOAT16_PANELS ? 2 : 4;
}

/* Vectors v and v + 1 (v even) of B's row p as floats: from a row-major row `row` (lanes
 * outside the masks read nothing and hold 0), or from step p of the panel at `panel`. A
 * bfloat16 panel's 32 words unpack with zero into the two vectors in column order: a
 * bfloat16's bits are the top half of its float. A panel wholly past n is not read. */
static inline __attribute__((always_inline)) KERNEL void load_b_pair(const void *row, const void *panel, int v,
                                                                     const __mmask16 *mask, __m512 *pair,
                                                                     const int format) {
  if (format == AEGEMM_FLOAT32) {
    pair[0] = _mm512_maskz_loadu_ps(mask[v], (const float *)row + 16 * v);
    pair[1] = _mm512_maskz_loadu_ps(mask[v + 1], (const float *)row + 16 * (v + 1));
    return;
  }
  if ((mask[v] | mask[v + 1]) == 0) {
    pair[0] = pair[1] = _mm512_setzero_ps();
    return;
  }
  if (format == AEGEMM_FLOAT32_PANELS) {
    pair[0] = _mm512_loadu_ps((const float *)panel);
    pair[1] = _mm512_loadu_ps((const float *)panel + 16);
    return;
  }
  __m512i chunk = _mm512_loadu_si512(panel);
  pair[0] = _mm512_castsi512_ps(_mm512_unpacklo_epi16(_mm512_setzero_si512(), chunk));
  pair[1] = _mm512_castsi512_ps(_mm512_unpackhi_epi16(_mm512_setzero_si512(), chunk));
}

/* Lanes of the vector at column `column` that lie inside the n columns. */
static inline __attribute__((always_inline)) __mmask16 lanes_from(size_t column, size_t n) {
  if (column >= n) return 0;
  size_t lanes = n - column;
  return lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1);
}

/* Rows i0 ..< i0 + ROWS, columns j0 ..< j0 + 16 VECS (masked at n), steps p0 ..< p0 + kc, with
 * those rows' A values for the steps packed step by step (ROWS values per step). */
static inline __attribute__((always_inline)) KERNEL void tile(const struct product *t, const float *packed, size_t i0,
                                                              size_t j0, size_t p0, size_t kc, const int rows, const int vecs,
                                                              const int format) {
  __m512 sum[MR][8];
  __mmask16 mask[8];
  UNROLL for (int v = 0; v < vecs; v++) mask[v] = lanes_from(j0 + 16 * (size_t)v, t->n);
  float *c = t->c + i0 * t->ldc + j0;
  int from_c = t->accumulate || p0 > 0;
  UNROLL for (int r = 0; r < rows; r++)
    UNROLL for (int v = 0; v < vecs; v++)
      sum[r][v] = from_c ? _mm512_maskz_loadu_ps(mask[v], c + r * t->ldc + 16 * v) : _mm512_setzero_ps();

  /* Row-major B: row p0 at column j0, one row (ldb values) per step. Panels: the tile's
   * panels (32 columns each) at step p0, 32 values per step. */
  const size_t size = value_size(format);
  const char *row = (const char *)t->b + (p0 * t->ldb + j0) * size;
  const char *panel[4];
  UNROLL for (int q = 0; q < vecs / 2; q++)
    panel[q] = (const char *)t->b + ((j0 / 32 + (size_t)q) * t->k + p0) * 32 * size;
  const size_t row_step = is_panels(format) ? 0 : t->ldb * size, panel_step = 32 * size;
  const float *a = packed;
  for (size_t p = 0; p < kc; p++) {
    __m512 bv[8];
    UNROLL for (int v = 0; v < vecs; v += 2) load_b_pair(row, panel[v / 2], v, mask, bv + v, format);
    UNROLL for (int r = 0; r < rows; r++) {
      __m512 av = _mm512_set1_ps(a[r]);
      UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_fmadd_ps(av, bv[v], sum[r][v]);
    }
    a += rows;
    row += row_step;
    UNROLL for (int q = 0; q < vecs / 2; q++) panel[q] += panel_step;
  }

  if (p0 + kc == t->k) {
    if (t->bias) {
      UNROLL for (int v = 0; v < vecs; v++) {
        __m512 bias = _mm512_maskz_loadu_ps(mask[v], t->bias + j0 + 16 * v);
        UNROLL for (int r = 0; r < rows; r++) sum[r][v] = _mm512_add_ps(sum[r][v], bias);
      }
    }
    if (t->epilogue == AEGEMM_RELU) {
      UNROLL for (int r = 0; r < rows; r++)
        /* max(0, z), not max(z, 0): vmaxps returns its second operand for NaN (and for -0 vs
         * 0), so NaN and -0 pass through, as in VectorMath.relu. */
        UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_max_ps(_mm512_setzero_ps(), sum[r][v]);
    } else if (t->epilogue == AEGEMM_LEAKY_RELU) {
      const __m512 slope = _mm512_set1_ps(0.01f);
      UNROLL for (int r = 0; r < rows; r++)
        UNROLL for (int v = 0; v < vecs; v++) {
          __mmask16 positive = _mm512_cmp_ps_mask(sum[r][v], _mm512_setzero_ps(), _CMP_GT_OQ);
          sum[r][v] = _mm512_mask_blend_ps(positive, _mm512_mul_ps(sum[r][v], slope), sum[r][v]);
        }
    }
  }
  UNROLL for (int r = 0; r < rows; r++)
    UNROLL for (int v = 0; v < vecs; v++) _mm512_mask_storeu_ps(c + r * t->ldc + 16 * v, mask[v], sum[r][v]);
}

/* One instance per tile shape and format of B, so that every loop bound above is a constant. */
#define TILE(ROWS, VECS)                                                                                       \
  static KERNEL void tile_##ROWS##x##VECS(const struct product *t, const float *packed, size_t i0, size_t j0,       \
                                          size_t p0, size_t kc) {                                                 \
    tile(t, packed, i0, j0, p0, kc, ROWS, VECS, AEGEMM_FLOAT32);                                                 \
  }                                                                                                              \
  static KERNEL void tile_##ROWS##x##VECS##_panels(const struct product *t, const float *packed, size_t i0,         \
                                                   size_t j0, size_t p0, size_t kc) {                             \
    tile(t, packed, i0, j0, p0, kc, ROWS, VECS, AEGEMM_FLOAT32_PANELS);                                          \
  }                                                                                                              \
  static KERNEL void tile_##ROWS##x##VECS##_bf16(const struct product *t, const float *packed, size_t i0, size_t j0, \
                                                 size_t p0, size_t kc) {                                          \
    tile(t, packed, i0, j0, p0, kc, ROWS, VECS, AEGEMM_BFLOAT16_PANELS);                                         \
  }
TILE(1, 8) TILE(2, 8) TILE(3, 8)
TILE(4, 2) TILE(5, 2) TILE(6, 2) TILE(7, 2) TILE(8, 2) TILE(9, 2) TILE(10, 2) TILE(11, 2) TILE(12, 2)

typedef void (*tile_function)(const struct product *, const float *, size_t, size_t, size_t, size_t);

static tile_function tile_for(size_t rows, int format) {
#define PICK(NAME) \
  return format == AEGEMM_BFLOAT16_PANELS ? NAME##_bf16 : format == AEGEMM_FLOAT32_PANELS ? NAME##_panels : NAME
  switch (rows) {
  case 1: PICK(tile_1x8);
  case 2: PICK(tile_2x8);
  case 3: PICK(tile_3x8);
  case 4: PICK(tile_4x2);
  case 5: PICK(tile_5x2);
  case 6: PICK(tile_6x2);
  case 7: PICK(tile_7x2);
  case 8: PICK(tile_8x2);
  case 9: PICK(tile_9x2);
  case 10: PICK(tile_10x2);
  case 11: PICK(tile_11x2);
  default: PICK(tile_12x2);
  }
#undef PICK
}

static size_t columns_of(size_t rows) { return rows <= 3 ? 128 : 32; }

/* Rows i0 ..< i0 + rows of A for steps p0 ..< p0 + kc, step by step: the tile then reads its
 * broadcasts from one pointer, whatever A's strides (a transposed A included). */
static void pack_rows(const struct product *t, size_t i0, size_t rows, size_t p0, size_t kc, float *packed) {
  const float *a = t->a + i0 * t->a_row + p0 * t->a_col;
  if (t->a_col == 1) {
    for (size_t r = 0; r < rows; r++)
      for (size_t p = 0; p < kc; p++) packed[p * rows + r] = a[r * t->a_row + p];
  } else {
    for (size_t p = 0; p < kc; p++)
      for (size_t r = 0; r < rows; r++) packed[p * rows + r] = a[r * t->a_row + p * t->a_col];
  }
}

void aegemm(size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col, const void *b, int b_format,
            size_t ldb, float *c, size_t ldc, int accumulate, const float *bias, int epilogue) {
  if (m == 0 || n == 0) return;
  struct product t = {m, n, k, a, a_row, a_col, b, b_format, ldb, c, ldc, accumulate, bias, epilogue};
  float packed[MR * KC];
  if (k == 0) {
    /* No steps: C (or 0) plus the bias and the epilogue, through a tile with kc = 0. */
    for (size_t i = 0; i < m; i += MR) {
      size_t rows = m - i < MR ? m - i : MR;
      for (size_t j = 0; j < n; j += columns_of(rows)) tile_for(rows, b_format)(&t, packed, i, j, 0, 0);
    }
    return;
  }
  for (size_t jc = 0; jc < n; jc += NC) {
    size_t jend = n - jc < NC ? n : jc + NC;
    for (size_t pc = 0; pc < k; pc += KC) {
      size_t kc = k - pc < KC ? k - pc : KC;
      for (size_t i = 0; i < m; i += MR) {
        size_t rows = m - i < MR ? m - i : MR;
        pack_rows(&t, i, rows, pc, kc, packed);
        tile_function run = tile_for(rows, b_format);
        size_t step = columns_of(rows);
        for (size_t j = jc; j < jend; j += step) run(&t, packed, i, j, pc, kc);
      }
    }
  }
}

size_t aegemm_packed_count(size_t k, size_t n) { return (n + 31) / 32 * 32 * k; }

void aegemm_pack(const float *b, size_t k, size_t n, int format, void *packed) {
  for (size_t panel = 0; panel < (n + 31) / 32; panel++)
    for (size_t p = 0; p < k; p++) {
      const float *row = b + p * n + 32 * panel;
      size_t at = (panel * k + p) * 32, lanes = n - 32 * panel < 32 ? n - 32 * panel : 32;
      if (format == AEGEMM_FLOAT32_PANELS) {
        float *out = (float *)packed + at;
        for (size_t i = 0; i < 32; i++) out[i] = i < lanes ? row[i] : 0;
        continue;
      }
      /* bfloat16: the top half of each (already rounded) float; word 8 L + i unpacks (low
       * half) to column 4 L + i, word 8 L + 4 + i (high half) to column 16 + 4 L + i. */
      uint16_t *out = (uint16_t *)packed + at;
      for (size_t lane = 0; lane < 4; lane++)
        for (size_t i = 0; i < 4; i++) {
          size_t low = 4 * lane + i, high = 16 + 4 * lane + i;
          uint32_t bits;
          memcpy(&bits, low < lanes ? &row[low] : &(float){0}, 4);
          out[8 * lane + i] = (uint16_t)(bits >> 16);
          memcpy(&bits, high < lanes ? &row[high] : &(float){0}, 4);
          out[8 * lane + 4 + i] = (uint16_t)(bits >> 16);
        }
    }
}

int aegemm_available(void) {
  static int known = -1; /* computed once; racing first calls compute the same value */
  int answer = __atomic_load_n(&known, __ATOMIC_RELAXED);
  if (answer < 0) {
    __builtin_cpu_init();
    /* __builtin_cpu_supports checks the operating system saves the registers (XCR0) too. */
    answer = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("fma");
    __atomic_store_n(&known, answer, __ATOMIC_RELAXED);
  }
  return answer;
}

/* -1: not decided yet; else whether products use aegemm. */
static int chosen = -1;

int aegemm_enabled(void) {
  int answer = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
  if (answer < 0) {
    const char *setting = getenv("AE_GEMM");
    answer = aegemm_available() && !(setting && strcmp(setting, "openblas") == 0);
    __atomic_store_n(&chosen, answer, __ATOMIC_RELAXED);
  }
  return answer;
}

int aegemm_use(int enabled) {
  int previous = aegemm_enabled();
  __atomic_store_n(&chosen, enabled && aegemm_available(), __ATOMIC_RELAXED);
  return previous;
}

const char *aegemm_isa(void) { return aegemm_available() ? "avx512" : "none"; }
