/*
 * CGemm: the library's own single-precision matrix product for CPUs with AVX-512, where
 * Debian's OpenBLAS 0.3.21 may run half-width kernels (issue 14; bench/gemm measures it).
 *
 * The kernels are compiled for AVX-512 inside a library that targets the x86-64 baseline and
 * are called only after the CPU was checked at run time (aegemm_available). On other CPUs the
 * callers use OpenBLAS (Tensor/BLAS.swift).
 *
 * Every entry of C is one chain of fused multiply-adds over p = 0, 1, ..., k-1 in that order,
 * then (optionally) plus the bias, then the activation. So a row's result does not depend on
 * how many rows the call has, which rows share a tile, or how a caller splits the rows or the
 * columns among threads: the library's promise that batch shape and thread count leave the
 * results unchanged, bit for bit.
 *
 * Names start aegemm_, not ae_, so the library's export list (ae_* only) leaves them out.
 */
#ifndef AE_CGEMM_H
#define AE_CGEMM_H

#include <stddef.h>
#include <stdint.h>

/* What follows the product in the same pass over C. */
#define AEGEMM_LINEAR 0
#define AEGEMM_RELU 1
#define AEGEMM_LEAKY_RELU 2 /* slope 0.01, PyTorch's default, as Activation.leakySlope */

/* How B's values are stored. */
/* Row-major float32, element (p, j) at b[p * ldb + j]. */
#define AEGEMM_FLOAT32 0
/* Packed by aegemm_pack (a model's weights, once at load; ldb is ignored): panels of 32
 * columns, each panel's k rows of 32 contiguous, padded with zeros. Faster to stream. */
#define AEGEMM_FLOAT32_PANELS 1
/* The same panels in bfloat16 (a float32's upper 16 bits), in the word order AVX-512's
 * unpacking undoes: half the bytes; widened exactly as read, so the product equals the
 * float32 one on B's values bit for bit when those are bfloat16 values. */
#define AEGEMM_BFLOAT16_PANELS 2
/* Transposed float32: element (p, j) at b[j * ldb + p] (B stored n x k). Read a strip at a time
 * into panels on the stack (32 KB): the input gradients of training and transposed convolutions
 * run on these kernels too. */
#define AEGEMM_FLOAT32_TRANSPOSED 3

/* Values (floats or bfloat16s) a packed B of k x n takes. */
size_t aegemm_packed_count(size_t k, size_t n);

/* Row-major float32 B (k x n) packed into `packed` (aegemm_packed_count values of the format):
 * AEGEMM_FLOAT32_PANELS, or AEGEMM_BFLOAT16_PANELS (the top halves of B's floats: round them
 * to bfloat16 first). */
void aegemm_pack(const float *b, size_t k, size_t n, int format, void *packed);

/* 1 when this CPU (and its operating system) runs the AVX-512 kernels, else 0. Checked once. */
int aegemm_available(void);

/* 1 when the library's products go through aegemm: the CPU runs it and neither the
 * environment (AE_GEMM=openblas) nor aegemm_use(0) chose OpenBLAS. */
int aegemm_enabled(void);

/* Choose the path for later products (tests and benches compare both): 1 = aegemm where
 * available, 0 = OpenBLAS. Returns the previous aegemm_enabled(). Not during a product. */
int aegemm_use(int enabled);

/* The kernel set aegemm runs here: "avx512" or "none". */
const char *aegemm_isa(void);

/* C = A B (accumulate = 0) or C = C + A B (accumulate = 1), then + bias (n values; NULL: none),
 * then the epilogue (AEGEMM_*), on row-major C (m x n, row stride ldc).
 *
 * A (m x k) is read through two strides, element (i, p) at a[i * a_row + p * a_col], so a
 * transposed A costs nothing. B (k x n) is stored as `b_format` says (AEGEMM_*).
 * Single-threaded; C must not overlap A or B. Requires aegemm_available(). */
void aegemm(size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col, const void *b, int b_format,
            size_t ldb, float *c, size_t ldc, int accumulate, const float *bias, int epilogue);

/* A team of threads that splits one product (or one aegemm_team_each job) at a time (team.c):
 * by rows when each thread gets at least 12, else by columns, so a single row's layers use
 * every core's L2 and FMA units. Results equal aegemm's bit for bit, whatever the split. Helpers spin for a short
 * while after each product, then sleep until the next. */
typedef struct aegemm_team aegemm_team;

/* A team of `threads` (2 to 256): the caller of aegemm_team_run and threads - 1 helpers.
 * NULL when memory or a thread could not be had. */
aegemm_team *aegemm_team_create(int threads);

/* Ends the helpers and frees the team (NULL: nothing). Not during a product. */
void aegemm_team_free(aegemm_team *team);

/* Threads of the team (1 for NULL). */
int aegemm_team_threads(const aegemm_team *team);

/* aegemm, split over the team (NULL: the caller alone). One product at a time per team: a
 * call that finds the team busy with another thread's product runs alone (same results). */
void aegemm_team_run(aegemm_team *team, size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col,
                     const void *b, int b_format, size_t ldb, float *c, size_t ldc, int accumulate, const float *bias,
                     int epilogue);

/* each(context, share, shares) for share = 0 ..< shares, split over the team (NULL, or busy
 * with another thread's job: all on the caller). For element-wise work whose result does not
 * depend on the split (the optimizer's update); returns when every share is done. */
void aegemm_team_each(aegemm_team *team, int shares, void (*each)(void *context, int share, int shares), void *context);

/* Products with int8 weights. */
#include "CGemmInt8.h"

#endif
