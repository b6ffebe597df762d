/*
 * CGemmInt8: a layer's product with int8 weights (issue 14, opt in at load).
 *
 * Weights: symmetric per output column, W(p, j) ~ scale[j] q(p, j) with q in -127 ... 127.
 * Activations: each row of A quantized as it comes (dynamic), asymmetric to 0 ... 255 over
 * the row's range widened to hold 0: A(i, p) ~ row_scale[i] (u(i, p) - row_zero[i]).
 * The sum over p of u q is exact in int32 (k <= AEGEMM_INT8_MAX_K), then
 *   C(i, j) = epilogue(fma(float(sum - row_zero[i] column_sum[j]), row_scale[i] scale[j], bias[j])).
 *
 * Every step is exact or one IEEE operation in a fixed order, so the results are the same
 * bit for bit on every CPU: AVX-512 VNNI where the CPU has it, portable C elsewhere (tests
 * compare the two), whatever the batch or the split over threads.
 *
 * A row with a value that is not finite, or whose range overflows float, gives NaN in every
 * entry of its row of C (its scale is NaN). A row whose values all lie within about 1e-36 of
 * 0 is taken as zeros (its scale would be subnormal), as is a weight column of such values.
 */
#ifndef AE_CGEMM_INT8_H
#define AE_CGEMM_INT8_H

#include <stddef.h>
#include <stdint.h>

#include "CGemm.h"

/* The largest k: 255 * 127 * k must stay inside int32. */
#define AEGEMM_INT8_MAX_K 65536

/* A kernel W (k x n) quantized and packed by aegemm_int8_pack. */
typedef struct {
  size_t k, n;
  /* (n + 15) / 16 panels of 16 columns; each (k + 3) / 4 groups of 16 columns x 4 steps
   * (64 bytes, column-major inside: the four steps of column c at 4 c). Zero-padded. */
  const int8_t *panels;
  /* Per column, padded with zeros to whole panels: the scale, and the sum of column j's q. */
  const float *scale;
  const int32_t *column_sum;
} aegemm_int8_weights;

/* Bytes of the panels, and floats (or int32s) of the padded per-column arrays, for k x n. */
size_t aegemm_int8_panel_bytes(size_t k, size_t n);
size_t aegemm_int8_column_count(size_t n);

/* Quantize a row-major W (k x n) per column into `panels`, `scale` and `column_sum` (sizes as
 * above). Returns 0, or -1 when W holds a value that is not finite or k is not in
 * 1 ... AEGEMM_INT8_MAX_K (nothing useful is written then). */
int aegemm_int8_pack(const float *w, size_t k, size_t n, int8_t *panels, float *scale, int32_t *column_sum);

/* Bytes per quantized row of A: k rounded up to whole groups of 4. */
size_t aegemm_int8_row_bytes(size_t k);

/* Quantize rows of A (m x k, row stride lda) into q (m rows of aegemm_int8_row_bytes(k),
 * padding zero), with each row's scale and zero point. */
void aegemm_int8_quantize(size_t m, size_t k, const float *a, size_t lda, uint8_t *q, float *row_scale,
                          int32_t *row_zero);

/* C (m x n, row stride ldc) = epilogue(the product above + bias) for rows quantized by
 * aegemm_int8_quantize; bias may be NULL (then 0). Columns j0 ..< j1 only (a multiple of 16
 * for j0), so a team can split by columns. */
void aegemm_int8(size_t m, size_t j0, size_t j1, const uint8_t *q, const float *row_scale, const int32_t *row_zero,
                 const aegemm_int8_weights *w, float *c, size_t ldc, const float *bias, int epilogue);

/* Quantize A's rows into q, row_scale and row_zero (scratch the caller owns), then the
 * product, split over the team (NULL: the caller alone) by rows or by columns. */
void aegemm_int8_team_run(aegemm_team *team, size_t m, const float *a, size_t lda, uint8_t *q, float *row_scale,
                          int32_t *row_zero, const aegemm_int8_weights *w, float *c, size_t ldc, const float *bias,
                          int epilogue);

/* The kernels int8 products run on here: "avx512-vnni" or "portable". */
const char *aegemm_int8_isa(void);

/* Choose the kernels for later products (tests compare both): 1 = VNNI where available, 0 =
 * portable. Returns the previous choice. Not during a product. */
int aegemm_int8_use_vnni(int enabled);

#endif
