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

/* AE_OPEN_INT8: close to float32, and the same bits for a row alone on 2 threads as in the
 * batch, on every CPU (the int8 product's promise). */
static void test_int8(const char *model_path, const float *x, size_t rows, size_t width) {
  const char *kernels = ae_int8_kernels();
  __builtin_cpu_init();
  int vnni = cpu_runs_own_kernels() && __builtin_cpu_supports("avx512vnni");
  CHECK(kernels && strcmp(kernels, vnni ? "avx512-vnni" : "portable") == 0 && ae_int8_kernels() == kernels,
        "ae_int8_kernels: %s (VNNI expected: %d)", kernels ? kernels : "(null)", vnni);

  ae_model *exact = NULL, *int8 = NULL, *refused = NULL;
  CHECK(ae_model_open(model_path, &exact) == AE_OK, "int8: open at float32");
  CHECK(ae_model_open_v2(model_path, AE_OPEN_INT8, &int8) == AE_OK, "open at int8: %s", ae_last_error());
  CHECK(ae_model_open_v2(model_path, AE_OPEN_INT8 | AE_OPEN_BFLOAT16, &refused) == AE_ERROR_INVALID_ARGUMENT &&
            refused == NULL && strstr(ae_last_error(), "choose one precision") != NULL,
        "bfloat16 and int8 together are refused: %s", ae_last_error());
  if (!exact || !int8) return;
  size_t latent = ae_model_latent_dim(exact);
  float *y = malloc(rows * width * sizeof(float)), *y8 = malloc(rows * width * sizeof(float));
  float *z = malloc(rows * latent * sizeof(float)), *z8 = malloc(rows * latent * sizeof(float));
  float *row = malloc(width * sizeof(float));
  CHECK(ae_reconstruct(exact, x, rows, y) == AE_OK && ae_reconstruct(int8, x, rows, y8) == AE_OK, "int8 reconstruct");
  CHECK(ae_encode(exact, x, rows, z) == AE_OK && ae_encode(int8, x, rows, z8) == AE_OK, "int8 encode");
  double dy = scaled_difference(y, y8, rows * width), dz = scaled_difference(z, z8, rows * latent);
  CHECK(dy > 0 && dy < 0.05 && dz > 0 && dz < 0.05, "int8 within 5%% of float32, and quantized: outputs %g, codes %g", dy, dz);

  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(int8, 4, &workspace) == AE_OK && ae_workspace_set_threads(workspace, 2) == AE_OK,
        "int8 workspace on 2 threads");
  int equal = 1;
  for (size_t r = 0; r < rows && workspace; r++) {
    fill(row, width, -1);
    CHECK(ae_reconstruct_ws(int8, workspace, x + r * width, 1, row) == AE_OK, "int8 single row %zu", r);
    equal &= memcmp(row, y8 + r * width, width * sizeof(float)) == 0;
  }
  CHECK(equal, "int8 single rows on 2 threads equal the batch's rows bit for bit");
  ae_workspace_free(workspace);
  free(y); free(y8); free(z); free(z8); free(row);
  ae_model_close(exact);
  ae_model_close(int8);
}
