/*
 * threads: time batch calls on 1 and on 2 workspace threads (ae_workspace_set_threads).
 *
 *   threads model.h5 [ROWS [REPEATS]] [--blas1]
 *
 * Times ae_encode_ws and ae_reconstruct_ws on ROWS rows (default 256) of made-up inputs (the
 * time does not depend on the values), REPEATS times each (default 200), alternating between
 * a 1-thread and a 2-thread workspace round by round so that a busy machine slows both alike;
 * prints the median time per call and rows per second. --blas1 first sets OpenBLAS to one
 * thread of its own (openblas_set_num_threads, found with dlsym: the library itself never
 * changes OpenBLAS's threads), to see workspace threads without OpenBLAS's underneath.
 *
 * Build: cc threads.c $(pkg-config --cflags --libs autoencoder) -ldl -o threads
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <autoencoder.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int fail(const char *what, ae_status status) {
  fprintf(stderr, "threads: %s: %s (%s)\n", what, ae_status_string(status), ae_last_error());
  return 1;
}

int main(int argc, char **argv) {
  int blas1 = 0, positional = 0;
  const char *path = NULL;
  size_t rows = 256, repeats = 200;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--blas1") == 0) blas1 = 1;
    else if (positional == 0) path = argv[i], positional++;
    else if (positional == 1) rows = strtoul(argv[i], NULL, 10), positional++;
    else repeats = strtoul(argv[i], NULL, 10), positional++;
  }
  if (!path || rows == 0 || repeats == 0) {
    fprintf(stderr, "usage: %s model.h5 [ROWS [REPEATS]] [--blas1]\n", argv[0]);
    return 2;
  }
  void (*set_blas_threads)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  int (*blas_threads)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  if (blas1) {
    if (!set_blas_threads) { fprintf(stderr, "threads: openblas_set_num_threads not found\n"); return 1; }
    set_blas_threads(1);
  }

  ae_model *model = NULL;
  ae_status status = ae_model_open(path, &model);
  if (status != AE_OK) return fail("open", status);
  size_t width = ae_model_input_dim(model), latent = ae_model_latent_dim(model);
  float *x = malloc(rows * width * sizeof(float)), *y = malloc(rows * width * sizeof(float));
  float *z = malloc(rows * latent * sizeof(float));
  srand(1);
  for (size_t i = 0; i < rows * width; i++) x[i] = (float)(rand() % 256);

  ae_workspace *workspaces[2] = {NULL, NULL};
  for (int t = 0; t < 2; t++) {
    if ((status = ae_workspace_create(model, rows, &workspaces[t])) != AE_OK) return fail("workspace", status);
    if ((status = ae_workspace_set_threads(workspaces[t], t + 1)) != AE_OK) return fail("set_threads", status);
  }
  double *times[2][2];
  for (int c = 0; c < 2; c++)
    for (int t = 0; t < 2; t++) times[c][t] = malloc(repeats * sizeof(double));
  for (size_t r = 0; r < repeats + 5; r++) { /* the first 5 rounds warm up */
    for (int t = 0; t < 2; t++) {
      double start = now();
      if ((status = ae_encode_ws(model, workspaces[t], x, rows, z)) != AE_OK) return fail("encode", status);
      double middle = now();
      if ((status = ae_reconstruct_ws(model, workspaces[t], x, rows, y)) != AE_OK) return fail("reconstruct", status);
      double end = now();
      if (r >= 5) { times[0][t][r - 5] = middle - start; times[1][t][r - 5] = end - middle; }
    }
  }
  printf("%s: %zu rows of %zu, %zu calls each; OpenBLAS threads: %d%s\n", path, rows, width, repeats,
         blas_threads ? blas_threads() : -1, blas1 ? " (set by --blas1)" : "");
  const char *names[2] = {"encode", "reconstruct"};
  for (int c = 0; c < 2; c++) {
    double median[2];
    for (int t = 0; t < 2; t++) {
      qsort(times[c][t], repeats, sizeof(double), ascending);
      median[t] = times[c][t][repeats / 2];
      printf("  %-11s %d thread%s: %8.3f ms a call, %9.0f rows/s\n", names[c], t + 1, t ? "s" : " ", median[t] * 1e3,
             (double)rows / median[t]);
      free(times[c][t]);
    }
    printf("  %-11s speed-up 2 threads / 1: %.2fx\n", names[c], median[0] / median[1]);
  }
  ae_workspace_free(workspaces[0]);
  ae_workspace_free(workspaces[1]);
  ae_model_close(model);
  free(x); free(y); free(z);
  return 0;
}
