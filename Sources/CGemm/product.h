/*
 * One product's arguments as the kernels (gemm.c) and the team's shares (team.c) pass them on.
 * Private to CGemm.
 */
#ifndef AE_CGEMM_PRODUCT_H
#define AE_CGEMM_PRODUCT_H

#include <stddef.h>

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

#endif
