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
  const float *b;
  size_t ldb;
  float *c;
  size_t ldc;
  int accumulate;
  const float *bias;
  int epilogue;
};

/* Loops over a tile's rows and vectors, unrolled so the accumulators live in registers. */
#define UNROLL _Pragma("clang loop unroll(full)")

#define KERNEL __attribute__((target("avx512f,avx512vl,avx512dq,fma")))

/* Lanes of the vector at column `column` that lie inside the n columns. */
static inline __attribute__((always_inline)) __mmask16 lanes_from(size_t column, size_t n) {
  if (column >= n) return 0;
  size_t lanes = n - column;
  return lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1);
}

/* Rows i0 ..< i0 + ROWS, columns j0 ..< j0 + 16 VECS (masked at n), steps p0 ..< p0 + kc. */
static inline __attribute__((always_inline)) KERNEL void tile(const struct product *t, size_t i0, size_t j0,
                                                              size_t p0, size_t kc, const int rows, const int vecs) {
  __m512 sum[MR][8];
  __mmask16 mask[8];
  UNROLL for (int v = 0; v < vecs; v++) mask[v] = lanes_from(j0 + 16 * (size_t)v, t->n);
  float *c = t->c + i0 * t->ldc + j0;
  int from_c = t->accumulate || p0 > 0;
  UNROLL for (int r = 0; r < rows; r++)
    UNROLL for (int v = 0; v < vecs; v++)
      sum[r][v] = from_c ? _mm512_maskz_loadu_ps(mask[v], c + r * t->ldc + 16 * v) : _mm512_setzero_ps();

  const float *b = t->b + p0 * t->ldb + j0;
  const float *a = t->a + i0 * t->a_row + p0 * t->a_col;
  const size_t a_row = t->a_row, a_col = t->a_col, ldb = t->ldb;
  for (size_t p = 0; p < kc; p++) {
    __m512 bv[8];
    UNROLL for (int v = 0; v < vecs; v++) bv[v] = _mm512_maskz_loadu_ps(mask[v], b + 16 * v);
    UNROLL for (int r = 0; r < rows; r++) {
      __m512 av = _mm512_set1_ps(a[r * a_row]);
      UNROLL for (int v = 0; v < vecs; v++) sum[r][v] = _mm512_fmadd_ps(av, bv[v], sum[r][v]);
    }
    a += a_col;
    b += ldb;
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

/* One instance per tile shape, so that every loop bound above is a constant. */
#define TILE(ROWS, VECS)                                                                                        \
  static KERNEL void tile_##ROWS##x##VECS(const struct product *t, size_t i0, size_t j0, size_t p0, size_t kc) { \
    tile(t, i0, j0, p0, kc, ROWS, VECS);                                                                         \
  }
TILE(1, 8) TILE(2, 8) TILE(3, 8)
TILE(4, 2) TILE(5, 2) TILE(6, 2) TILE(7, 2) TILE(8, 2) TILE(9, 2) TILE(10, 2) TILE(11, 2) TILE(12, 2)

typedef void (*tile_function)(const struct product *, size_t, size_t, size_t, size_t);

static tile_function tile_for(size_t rows) {
  switch (rows) {
  case 1: return tile_1x8;
  case 2: return tile_2x8;
  case 3: return tile_3x8;
  case 4: return tile_4x2;
  case 5: return tile_5x2;
  case 6: return tile_6x2;
  case 7: return tile_7x2;
  case 8: return tile_8x2;
  case 9: return tile_9x2;
  case 10: return tile_10x2;
  case 11: return tile_11x2;
  default: return tile_12x2;
  }
}

static size_t columns_of(size_t rows) { return rows <= 3 ? 128 : 32; }

void aegemm(size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col, const float *b, size_t ldb,
            float *c, size_t ldc, int accumulate, const float *bias, int epilogue) {
  if (m == 0 || n == 0) return;
  struct product t = {m, n, k, a, a_row, a_col, b, ldb, c, ldc, accumulate, bias, epilogue};
  if (k == 0) {
    /* No steps: C (or 0) plus the bias and the epilogue, through a tile with kc = 0. */
    for (size_t i = 0; i < m; i += MR) {
      size_t rows = m - i < MR ? m - i : MR;
      for (size_t j = 0; j < n; j += columns_of(rows)) tile_for(rows)(&t, i, j, 0, 0);
    }
    return;
  }
  for (size_t jc = 0; jc < n; jc += NC) {
    size_t jend = n - jc < NC ? n : jc + NC;
    for (size_t pc = 0; pc < k; pc += KC) {
      size_t kc = k - pc < KC ? k - pc : KC;
      for (size_t i = 0; i < m; i += MR) {
        size_t rows = m - i < MR ? m - i : MR;
        tile_function run = tile_for(rows);
        size_t step = columns_of(rows);
        for (size_t j = jc; j < jend; j += step) run(&t, i, j, pc, kc);
      }
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
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
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
