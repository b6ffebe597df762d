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
 * Edges: columns past n are masked in every load and store of B and C (no read or write
 * outside the matrices), so any n works without padding or packing.
 */
#include "CGemm.h"

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KC 256
#define NC 256
#define MR 12

struct product {
  size_t m, n, k;
  const float *a;
  size_t a_row, a_col;
  const void *b;
  int b_format;
  size_t ldb;
  float *c;
  size_t ldc;
  int accumulate;
  const float *bias;
  int epilogue;
};

/* Loops over a tile's rows and vectors, unrolled so the accumulators live in registers. */
#define UNROLL _Pragma("clang loop unroll(full)")

#define KERNEL __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma")))

/* Vectors v and v + 1 (v even) of B's row at `b`, as floats. float32: as they are, lanes
 * outside the masks reading nothing and holding 0. bfloat16: the 32 values of one chunk in
 * aegemm_bf16_pack's order, which word unpacking with zero turns into the two vectors in
 * column order, widened exactly (a bfloat16's bits are the top half of the float's): one
 * instruction per vector. Chunks lie inside the padded row; wholly outside n, none is read. */
static inline __attribute__((always_inline)) KERNEL void load_b_pair(const void *b, int v, const __mmask16 *mask,
                                                                     __m512 *pair, const int bf16) {
  if (bf16) {
    if ((mask[v] | mask[v + 1]) == 0) {
      pair[0] = pair[1] = _mm512_setzero_ps();
      return;
    }
    __m512i chunk = _mm512_loadu_si512((const uint16_t *)b + 16 * v);
    pair[0] = _mm512_castsi512_ps(_mm512_unpacklo_epi16(_mm512_setzero_si512(), chunk));
    pair[1] = _mm512_castsi512_ps(_mm512_unpackhi_epi16(_mm512_setzero_si512(), chunk));
    return;
  }
  pair[0] = _mm512_maskz_loadu_ps(mask[v], (const float *)b + 16 * v);
  pair[1] = _mm512_maskz_loadu_ps(mask[v + 1], (const float *)b + 16 * (v + 1));
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
                                                              const int bf16) {
  __m512 sum[MR][8];
  __mmask16 mask[8];
  UNROLL for (int v = 0; v < vecs; v++) mask[v] = lanes_from(j0 + 16 * (size_t)v, t->n);
  float *c = t->c + i0 * t->ldc + j0;
  int from_c = t->accumulate || p0 > 0;
  UNROLL for (int r = 0; r < rows; r++)
    UNROLL for (int v = 0; v < vecs; v++)
      sum[r][v] = from_c ? _mm512_maskz_loadu_ps(mask[v], c + r * t->ldc + 16 * v) : _mm512_setzero_ps();

  const size_t size = bf16 ? 2 : 4;
  const char *b = (const char *)t->b + (p0 * t->ldb + j0) * size;
  const float *a = packed;
  const size_t ldb = t->ldb;
  for (size_t p = 0; p < kc; p++) {
    __m512 bv[8];
    UNROLL for (int v = 0; v < vecs; v += 2) load_b_pair(b, v, mask, bv + v, bf16);
    UNROLL for (int r = 0; r < rows; r++) {
      __m512 av = _mm512_set1_ps(a[r]);
      UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_fmadd_ps(av, bv[v], sum[r][v]);
    }
    a += rows;
    b += ldb * size;
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
        UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_max_ps(sum[r][v], _mm512_setzero_ps());
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
#define TILE(ROWS, VECS)                                                                                      \
  static KERNEL void tile_##ROWS##x##VECS(const struct product *t, const float *packed, size_t i0, size_t j0,      \
                                          size_t p0, size_t kc) {                                                \
    tile(t, packed, i0, j0, p0, kc, ROWS, VECS, 0);                                                             \
  }                                                                                                             \
  static KERNEL void tile_##ROWS##x##VECS##_bf16(const struct product *t, const float *packed, size_t i0, size_t j0, \
                                                 size_t p0, size_t kc) {                                         \
    tile(t, packed, i0, j0, p0, kc, ROWS, VECS, 1);                                                             \
  }
TILE(1, 8) TILE(2, 8) TILE(3, 8)
TILE(4, 2) TILE(5, 2) TILE(6, 2) TILE(7, 2) TILE(8, 2) TILE(9, 2) TILE(10, 2) TILE(11, 2) TILE(12, 2)

typedef void (*tile_function)(const struct product *, const float *, size_t, size_t, size_t, size_t);

static tile_function tile_for(size_t rows, int bf16) {
#define PICK(NAME) return bf16 ? NAME##_bf16 : NAME
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
  int bf16 = b_format == AEGEMM_BFLOAT16;
  struct product t = {m, n, k, a, a_row, a_col, b, b_format, ldb, c, ldc, accumulate, bias, epilogue};
  float packed[MR * KC];
  if (k == 0) {
    /* No steps: C (or 0) plus the bias and the epilogue, through a tile with kc = 0. */
    for (size_t i = 0; i < m; i += MR) {
      size_t rows = m - i < MR ? m - i : MR;
      for (size_t j = 0; j < n; j += columns_of(rows)) tile_for(rows, bf16)(&t, packed, i, j, 0, 0);
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
        tile_function run = tile_for(rows, bf16);
        size_t step = columns_of(rows);
        for (size_t j = jc; j < jend; j += step) run(&t, packed, i, j, pc, kc);
      }
    }
  }
}

size_t aegemm_bf16_stride(size_t n) { return (n + 31) / 32 * 32; }

void aegemm_bf16_pack(const uint16_t *natural, size_t k, size_t n, uint16_t *packed) {
  size_t stride = aegemm_bf16_stride(n);
  for (size_t p = 0; p < k; p++) {
    const uint16_t *row = natural + p * n;
    uint16_t *out = packed + p * stride;
    for (size_t chunk = 0; chunk < stride; chunk += 32)
      for (size_t lane = 0; lane < 4; lane++)
        for (size_t i = 0; i < 4; i++) {
          /* Word 8 lane + i unpacks (low half) to column 4 lane + i, word 8 lane + 4 + i
           * (high half) to column 16 + 4 lane + i. */
          size_t low = chunk + 4 * lane + i, high = chunk + 16 + 4 * lane + i;
          out[chunk + 8 * lane + i] = low < n ? row[low] : 0;
          out[chunk + 8 * lane + 4 + i] = high < n ? row[high] : 0;
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
