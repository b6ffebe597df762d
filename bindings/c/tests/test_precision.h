/*
 * The 0.7 additions, ae_kernels and AE_OPEN_BFLOAT16, and 0.8's, AE_OPEN_INT8 and
 * ae_int8_kernels. Included by test_autoencoder.c after
 * test_v2.h (scaled_difference, fill).
 */
#include <stdint.h>

/* Whether this CPU has what the own kernels need (the same check as the library's). */
static int cpu_runs_own_kernels(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma");
}

/* A model opened with `flag` (AE_OPEN_BFLOAT16 or AE_OPEN_INT8) against float32: close (within
 * 5 %) but not equal, and each row alone on a 2-thread workspace (its products split by
 * columns) equal to the batch's row, bit for bit when `bitwise`, else within rounding. */
static void check_reduced_precision(const char *model_path, unsigned flag, const char *name, int bitwise, const float *x,
                                    size_t rows, size_t width) {
  ae_model *exact = NULL, *reduced = NULL;
  CHECK(ae_model_open(model_path, &exact) == AE_OK, "%s: open at float32", name);
  CHECK(ae_model_open_v2(model_path, flag, &reduced) == AE_OK, "open at %s: %s", name, ae_last_error());
  if (!exact || !reduced) return;
  size_t latent = ae_model_latent_dim(exact);
  float *y = malloc(rows * width * sizeof(float)), *y_reduced = malloc(rows * width * sizeof(float));
  float *z = malloc(rows * latent * sizeof(float)), *z_reduced = malloc(rows * latent * sizeof(float));
  float *row = malloc(width * sizeof(float));
  CHECK(ae_reconstruct(exact, x, rows, y) == AE_OK && ae_reconstruct(reduced, x, rows, y_reduced) == AE_OK, "%s reconstruct", name);
  CHECK(ae_encode(exact, x, rows, z) == AE_OK && ae_encode(reduced, x, rows, z_reduced) == AE_OK, "%s encode", name);
  double dy = scaled_difference(y, y_reduced, rows * width), dz = scaled_difference(z, z_reduced, rows * latent);
  CHECK(dy > 0 && dy < 0.05 && dz > 0 && dz < 0.05, "%s within 5%% of float32, and not equal: outputs %g, codes %g", name, dy, dz);

  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(reduced, 4, &workspace) == AE_OK && ae_workspace_set_threads(workspace, 2) == AE_OK,
        "%s workspace on 2 threads", name);
  int equal = 1, close = 1;
  for (size_t r = 0; r < rows && workspace; r++) {
    fill(row, width, -1);
    CHECK(ae_reconstruct_ws(reduced, workspace, x + r * width, 1, row) == AE_OK, "%s single row %zu", name, r);
    equal &= memcmp(row, y_reduced + r * width, width * sizeof(float)) == 0;
    close &= scaled_difference(y_reduced + r * width, row, width) < ROUNDING;
  }
  CHECK(bitwise ? equal : close, "%s single rows on 2 threads against the batch: equal %d, close %d", name, equal, close);
  ae_workspace_free(workspace);
  free(y); free(y_reduced); free(z); free(z_reduced); free(row);
  ae_model_close(exact);
  ae_model_close(reduced);
}

static void test_precision(const char *model_path, const float *x, size_t rows, size_t width) {
  /* ae_kernels: the own kernels exactly where the CPU runs them, unless AE_GEMM says OpenBLAS */
  const char *kernels = ae_kernels(), *setting = getenv("AE_GEMM");
  int own = cpu_runs_own_kernels() && !(setting && strcmp(setting, "openblas") == 0);
  CHECK(kernels && (own ? strcmp(kernels, "avx512 (own)") == 0 : strncmp(kernels, "openblas ", 9) == 0 && kernels[9]),
        "ae_kernels: %s (own expected: %d)", kernels ? kernels : "(null)", own);
  CHECK(ae_kernels() == kernels, "ae_kernels is one static string");

  ae_model *refused = NULL;
  CHECK(ae_model_open_v2(model_path, 8u, &refused) == AE_ERROR_INVALID_ARGUMENT && refused == NULL &&
            strstr(ae_last_error(), "AE_OPEN_BFLOAT16") != NULL,
        "an unknown flag is refused, naming the known ones: %s", ae_last_error());
  CHECK(ae_model_open_v2(model_path, AE_OPEN_INT8 | AE_OPEN_BFLOAT16, &refused) == AE_ERROR_INVALID_ARGUMENT &&
            refused == NULL && strstr(ae_last_error(), "choose one precision") != NULL,
        "bfloat16 and int8 together are refused: %s", ae_last_error());

  /* bfloat16: a row's result does not depend on its batch or threads on the own kernels */
  check_reduced_precision(model_path, AE_OPEN_BFLOAT16, "bfloat16", own, x, rows, width);

  /* int8: VNNI exactly where the CPU has it, and the same bits for a row alone on every CPU */
  __builtin_cpu_init();
  int vnni = cpu_runs_own_kernels() && __builtin_cpu_supports("avx512vnni");
  const char *int8 = ae_int8_kernels();
  CHECK(int8 && strcmp(int8, vnni ? "avx512-vnni" : "portable") == 0 && ae_int8_kernels() == int8,
        "ae_int8_kernels: %s (VNNI expected: %d)", int8 ? int8 : "(null)", vnni);
  check_reduced_precision(model_path, AE_OPEN_INT8, "int8", 1, x, rows, width);
}
