/*
 * The 0.7 additions: ae_kernels and AE_OPEN_BFLOAT16. Included by test_autoencoder.c after
 * test_v2.h (scaled_difference, fill).
 */
#include <stdint.h>

/* Whether this CPU has what the own kernels need (the same check as the library's). */
static int cpu_runs_own_kernels(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma");
}

static void test_precision(const char *model_path, const float *x, size_t rows, size_t width) {
  /* ae_kernels: the own kernels exactly where the CPU runs them, unless AE_GEMM says OpenBLAS */
  const char *kernels = ae_kernels(), *setting = getenv("AE_GEMM");
  int own = cpu_runs_own_kernels() && !(setting && strcmp(setting, "openblas") == 0);
  CHECK(kernels && (own ? strcmp(kernels, "avx512 (own)") == 0 : strncmp(kernels, "openblas ", 9) == 0 && kernels[9]),
        "ae_kernels: %s (own expected: %d)", kernels ? kernels : "(null)", own);
  CHECK(ae_kernels() == kernels, "ae_kernels is one static string");

  /* AE_OPEN_BFLOAT16: close to float32 (weights rounded to 8 significant bits), not equal */
  ae_model *exact = NULL, *half = NULL, *refused = NULL;
  CHECK(ae_model_open(model_path, &exact) == AE_OK, "precision: open at float32");
  CHECK(ae_model_open_v2(model_path, AE_OPEN_BFLOAT16, &half) == AE_OK, "open at bfloat16: %s", ae_last_error());
  CHECK(ae_model_open_v2(model_path, 8u, &refused) == AE_ERROR_INVALID_ARGUMENT && refused == NULL &&
            strstr(ae_last_error(), "AE_OPEN_BFLOAT16") != NULL,
        "an unknown flag is refused, naming the known ones: %s", ae_last_error());
  if (!exact || !half) return;
  size_t latent = ae_model_latent_dim(exact);
  float *y = malloc(rows * width * sizeof(float)), *y_half = malloc(rows * width * sizeof(float));
  float *z = malloc(rows * latent * sizeof(float)), *z_half = malloc(rows * latent * sizeof(float));
  float *row = malloc(width * sizeof(float));
  CHECK(ae_reconstruct(exact, x, rows, y) == AE_OK && ae_reconstruct(half, x, rows, y_half) == AE_OK, "bfloat16 reconstruct");
  CHECK(ae_encode(exact, x, rows, z) == AE_OK && ae_encode(half, x, rows, z_half) == AE_OK, "bfloat16 encode");
  double dy = scaled_difference(y, y_half, rows * width), dz = scaled_difference(z, z_half, rows * latent);
  CHECK(dy > 0 && dy < 0.05 && dz > 0 && dz < 0.05, "bfloat16 within 5%% of float32, and rounded: outputs %g, codes %g", dy, dz);

  /* a single row on 2 threads (its products split by columns) equals the batch's row */
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(half, 4, &workspace) == AE_OK && ae_workspace_set_threads(workspace, 2) == AE_OK,
        "bfloat16 workspace on 2 threads");
  int equal = 1, close = 1;
  for (size_t r = 0; r < rows && workspace; r++) {
    fill(row, width, -1);
    CHECK(ae_reconstruct_ws(half, workspace, x + r * width, 1, row) == AE_OK, "bfloat16 single row %zu", r);
    equal &= memcmp(row, y_half + r * width, width * sizeof(float)) == 0;
    close &= scaled_difference(y_half + r * width, row, width) < ROUNDING;
  }
  /* bit for bit on the own kernels (a row's result does not depend on its batch or threads) */
  CHECK(own ? equal : close, "bfloat16 single rows on 2 threads against the batch: equal %d, close %d", equal, close);
  ae_workspace_free(workspace);
  free(y); free(y_half); free(z); free(z_half); free(row);
  ae_model_close(exact);
  ae_model_close(half);
}
