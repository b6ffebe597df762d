/*
 * The AVX-512 matrix product (see CGemm.h for the contract).
 *
 * Shape: an outer-product tile keeps ROWS x VECS accumulators of 16 floats in registers; each
 * step p loads VECS vectors of B's row p and broadcasts A(i, p) for each of the ROWS rows.
 * 6 x 4 (24 accumulators, 64 columns) for the bulk of a batch: 6 broadcasts and 4 loads per 24
 * FMAs, which measured 109 GFLOP/s from L1 against 97 for 12 x 2 (peak 132) on an AVX-512
 * Xeon; 12 x 2 for a last strip of 32 columns or fewer; a single row or a few rows get 8
 * vectors (128 columns) so that at least 8 independent chains hide the FMA latency.
 *
 * Blocking: K in even blocks of at most KC steps. A strip's KC x 64 values of B (32 KB) stay
 * in L1 while its tiles pass down the rows, whose KC steps (MC rows at most) stay in L2. A is
 * read where it lies, never copied: a tile broadcasts from its rows directly. Between K blocks
 * the partial sums go through C, which is exact, so the order of the additions stays
 * p = 0, 1, ..., k-1. A few rows reuse nothing across tiles and take K in one block.
 *
 * B: row-major (any ldb), transposed (copied a strip at a time into panels on the stack), or
 * packed once (a model's weights, at load) in panels of 32 columns,
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

#define KC 128
#define MC 384
#define MR 12

/* Internal format: a strip of a transposed B, copied by pack_strip into panels of KC steps
 * (the panels of one K block and one strip only). */
#define STRIP 100


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
 * bfloat16's bits are the top half of its float. (The caller skips panels wholly past n.) */
static inline __attribute__((always_inline)) KERNEL void load_b_pair(const void *row, const void *panel, int v,
                                                                     const __mmask16 *mask, __m512 *pair,
                                                                     const int format) {
  if (format == AEGEMM_FLOAT32) {
    pair[0] = _mm512_maskz_loadu_ps(mask[v], (const float *)row + 16 * v);
    pair[1] = _mm512_maskz_loadu_ps(mask[v + 1], (const float *)row + 16 * (v + 1));
    return;
  }
  if (format == AEGEMM_FLOAT32_PANELS || format == STRIP) {
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

/* Rows i0 ..< i0 + ROWS, columns j0 ..< j0 + 16 VECS (masked at n), steps p0 ..< p0 + kc. A is
 * read where it lies (no copy): rows in groups of three from one pointer each, so each
 * broadcast addresses [group + 0 | a_row | 2 a_row] and a step adds a_col to four pointers.
 * `sparse`: some of the tile's panels may lie wholly past n (not read, taken as 0). */
static inline __attribute__((always_inline)) KERNEL void tile(const struct product *t, size_t i0, size_t j0, size_t p0,
                                                              size_t kc, const int rows, const int vecs,
                                                              const int format, const int sparse) {
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
    panel[q] = format == STRIP ? (const char *)t->b + (size_t)q * kc * 32 * size
                               : (const char *)t->b + ((j0 / 32 + (size_t)q) * t->k + p0) * 32 * size;
  const size_t row_step = is_panels(format) ? 0 : t->ldb * size, panel_step = 32 * size;
  const size_t a_row = t->a_row, a_col = t->a_col;
  const float *group[(MR + 2) / 3];
  UNROLL for (int g = 0; g < (rows + 2) / 3; g++) group[g] = t->a + (i0 + 3 * (size_t)g) * a_row + p0 * a_col;
  for (size_t p = 0; p < kc; p++) {
    __m512 bv[8];
    UNROLL for (int v = 0; v < vecs; v += 2) {
      if (sparse && (mask[v] | mask[v + 1]) == 0) bv[v] = bv[v + 1] = _mm512_setzero_ps();
      else load_b_pair(row, panel[v / 2], v, mask, bv + v, format);
    }
    UNROLL for (int r = 0; r < rows; r++) {
      __m512 av = _mm512_set1_ps(group[r / 3][(r % 3) * a_row]);
      UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_fmadd_ps(av, bv[v], sum[r][v]);
    }
    UNROLL for (int g = 0; g < (rows + 2) / 3; g++) group[g] += a_col;
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
#define TILE(ROWS, VECS, SPARSE)                                                                               \
  static KERNEL void tile_##ROWS##x##VECS(const struct product *t, size_t i0, size_t j0, size_t p0, size_t kc) { \
    tile(t, i0, j0, p0, kc, ROWS, VECS, AEGEMM_FLOAT32, SPARSE);                                               \
  }                                                                                                            \
  static KERNEL void tile_##ROWS##x##VECS##_panels(const struct product *t, size_t i0, size_t j0, size_t p0,     \
                                                   size_t kc) {                                                \
    tile(t, i0, j0, p0, kc, ROWS, VECS, AEGEMM_FLOAT32_PANELS, SPARSE);                                        \
  }                                                                                                            \
  static KERNEL void tile_##ROWS##x##VECS##_bf16(const struct product *t, size_t i0, size_t j0, size_t p0,       \
                                                 size_t kc) {                                                  \
    tile(t, i0, j0, p0, kc, ROWS, VECS, AEGEMM_BFLOAT16_PANELS, SPARSE);                                       \
  }                                                                                                            \
  __attribute__((unused)) static KERNEL void tile_##ROWS##x##VECS##_strip(const struct product *t, size_t i0,    \
                                                                          size_t j0, size_t p0, size_t kc) {   \
    tile(t, i0, j0, p0, kc, ROWS, VECS, STRIP, SPARSE);                                                        \
  }
/* A few rows: 128 columns a tile (8 independent chains a row hide the FMA latency). */
TILE(1, 8, 1) TILE(2, 8, 1) TILE(3, 8, 1)
/* The bulk of a batch: 6 rows by 64 columns (two panels), and the rows left over. */
TILE(1, 4, 0) TILE(2, 4, 0) TILE(3, 4, 0) TILE(4, 4, 0) TILE(5, 4, 0) TILE(6, 4, 0)
/* A last strip of 32 columns or fewer: 12 rows by 32, and the rows left over. */
TILE(1, 2, 0) TILE(2, 2, 0) TILE(3, 2, 0) TILE(4, 2, 0) TILE(5, 2, 0) TILE(6, 2, 0)
TILE(7, 2, 0) TILE(8, 2, 0) TILE(9, 2, 0) TILE(10, 2, 0) TILE(11, 2, 0) TILE(12, 2, 0)

typedef void (*tile_function)(const struct product *, size_t, size_t, size_t, size_t);

#define PICK(NAME)                                                                                          \
  return format == AEGEMM_BFLOAT16_PANELS ? NAME##_bf16                                                     \
         : format == AEGEMM_FLOAT32_PANELS ? NAME##_panels                                                  \
         : format == STRIP                 ? NAME##_strip                                                   \
                                           : NAME

static tile_function tile_for(size_t rows, int vecs, int format) {
  if (vecs == 8) switch (rows) {
    case 1: PICK(tile_1x8);
    case 2: PICK(tile_2x8);
    default: PICK(tile_3x8);
  }
  if (vecs == 4) switch (rows) {
    case 1: PICK(tile_1x4);
    case 2: PICK(tile_2x4);
    case 3: PICK(tile_3x4);
    case 4: PICK(tile_4x4);
    case 5: PICK(tile_5x4);
    default: PICK(tile_6x4);
  }
  switch (rows) {
  case 1: PICK(tile_1x2);
  case 2: PICK(tile_2x2);
  case 3: PICK(tile_3x2);
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
}
#undef PICK

/* Columns j ..< j + 16 vecs and rows i ..< i + rows_per a tile for the strip at column j: a
 * few rows take 128 columns; else 64 columns by 6 rows while more than 32 columns are left,
 * then 32 by 12. */
static int vecs_at(size_t m, size_t columns_left, int transposed) {
  return m <= 3 && !transposed ? 8 : columns_left > 32 ? 4 : 2;
}
static size_t rows_per(int vecs) { return vecs == 8 ? 3 : vecs == 4 ? 6 : 12; }

/* Columns j ..< j + 32 panels of a transposed B (element (p, j) at b[j ldb + p]), steps
 * p0 ..< p0 + kc, copied as panels of kc steps into `strip`; columns past n hold 0. */
static void pack_strip(const struct product *t, size_t j, int panels, size_t p0, size_t kc, float *strip) {
  const float *b = t->b;
  for (int q = 0; q < panels; q++)
    for (size_t column = 0; column < 32; column++) {
      size_t at = j + 32 * (size_t)q + column;
      float *out = strip + (size_t)q * kc * 32 + column;
      if (at >= t->n) {
        for (size_t p = 0; p < kc; p++) out[32 * p] = 0;
        continue;
      }
      const float *in = b + at * t->ldb + p0;
      for (size_t p = 0; p < kc; p++) out[32 * p] = in[p];
    }
}

void aegemm(size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col, const void *b, int b_format,
            size_t ldb, float *c, size_t ldc, int accumulate, const float *bias, int epilogue) {
  if (m == 0 || n == 0) return;
  struct product t = {m, n, k, a, a_row, a_col, b, b_format, ldb, c, ldc, accumulate, bias, epilogue};
  /* A transposed B is read one strip (at most 64 columns by KC steps, 32 KB) at a time,
   * copied into panels on the stack: the tiles then stream it as they stream packed weights. */
  int transposed = b_format == AEGEMM_FLOAT32_TRANSPOSED;
  _Alignas(64) float strip[transposed ? 64 * KC : 1];
  struct product from_strip = t;
  from_strip.b = strip;
  from_strip.b_format = STRIP;
  /* K in even blocks of at most KC steps (no short last block): a strip's KC x 64 values of
   * B stay in L1 while the tiles pass down the rows; rows in blocks of MC, whose KC steps of
   * A stay in L2. No steps (k = 0): one pass of tiles with kc = 0 (C or 0, bias, epilogue). */
  size_t blocks = k == 0 || (m <= 3 && !transposed) ? 1 : (k + KC - 1) / KC, even = (k + blocks - 1) / blocks;
  size_t pc = 0;
  do {
    size_t kc = k - pc < even ? k - pc : even;
    for (size_t ic = 0; ic < m; ic += MC) {
      size_t iend = m - ic < MC ? m : ic + MC;
      for (size_t j = 0; j < n;) {
        int vecs = vecs_at(m, n - j, transposed);
        size_t step = rows_per(vecs);
        if (transposed) pack_strip(&t, j, vecs / 2, pc, kc, strip);
        for (size_t i = ic; i < iend; i += step) {
          size_t rows = iend - i < step ? iend - i : step;
          if (transposed) tile_for(rows, vecs, STRIP)(&from_strip, i, j, pc, kc);
          else tile_for(rows, vecs, b_format)(&t, i, j, pc, kc);
        }
        j += 16 * (size_t)vecs;
      }
    }
    pc += kc;
  } while (pc < k);
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
