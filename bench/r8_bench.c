/*
 * R8, our side in C: single-row latency and batch-256 throughput of ae_reconstruct_ws.
 *   r8_bench MODEL [CALLS [WEIGHTS [THREADS [PRECISION]]]]   -> one JSON line
 * PRECISION: float32 (default) or bfloat16 (AE_OPEN_BFLOAT16).
 * Threads: the workspace's (ae_workspace_set_threads: rows of a batch, columns of a single
 * row's products), THREADS (default 1); OpenBLAS's from OPENBLAS_NUM_THREADS where it runs.
 *
 * With WEIGHTS (the model's parameter count), it also times the floor no single-row call can
 * beat on one core: reading that many floats once, warm in cache as in back-to-back calls.
 */
#include <autoencoder.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Sum `n` floats with four independent 8-lane accumulators: as fast as this core reads memory. */
typedef float float8 __attribute__((vector_size(32)));
static float read_all(const float *w, size_t n) {
  float8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, v;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    memcpy(&v, w + i, 32); s0 += v;
    memcpy(&v, w + i + 8, 32); s1 += v;
    memcpy(&v, w + i + 16, 32); s2 += v;
    memcpy(&v, w + i + 24, 32); s3 += v;
  }
  float8 s = s0 + s1 + s2 + s3;
  float total = 0;
  for (int j = 0; j < 8; j++) total += s[j];
  for (; i < n; i++) total += w[i];
  return total;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s MODEL [CALLS [WEIGHTS [THREADS [PRECISION]]]]\n", argv[0]); return 2; }
  int calls = argc > 2 ? atoi(argv[2]) : 5000;
  size_t weights = argc > 3 ? (size_t)atol(argv[3]) : 0;
  ae_model *model = NULL;
  unsigned flags = argc > 5 && strcmp(argv[5], "bfloat16") == 0 ? AE_OPEN_BFLOAT16
                   : argc > 5 && strcmp(argv[5], "int8") == 0   ? AE_OPEN_INT8
                                                                 : AE_OPEN_DEFAULT;
  if (ae_model_open_v2(argv[1], flags, &model) != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }
  size_t d = ae_model_input_dim(model), batch = 256;
  float *x = malloc(sizeof(float) * d * batch), *y = malloc(sizeof(float) * d * batch);
  srand(1);
  for (size_t i = 0; i < d * batch; i++) x[i] = (float)(rand() % 256);
  ae_workspace *workspace = NULL;
  if (ae_workspace_create(model, batch, &workspace) != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }
  int threads = argc > 4 ? atoi(argv[4]) : 1;
  if (ae_workspace_set_threads(workspace, threads) != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }

  double *times = malloc(sizeof(double) * calls);
  for (int i = 0; i < 200; i++) /* warm up */
    if (ae_reconstruct_ws(model, workspace, x + (i % batch) * d, 1, y) != AE_OK) return 1;
  for (int i = 0; i < calls; i++) {
    double start = now();
    ae_status status = ae_reconstruct_ws(model, workspace, x + (i % batch) * d, 1, y);
    times[i] = now() - start;
    if (status != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }
  }
  qsort(times, calls, sizeof(double), compare);
  double single = times[calls / 2];

  int rounds = 0;
  double start = now(), elapsed = 0;
  while (elapsed < 2.0 || rounds < 20) {
    if (ae_reconstruct_ws(model, workspace, x, batch, y) != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }
    rounds++;
    elapsed = now() - start;
  }
  double floor_us = 0;
  if (weights > 0) {
    float *w = malloc(sizeof(float) * weights), sink = 0;
    for (size_t i = 0; i < weights; i++) w[i] = (float)(i % 7);
    for (int i = 0; i < 200; i++) sink += read_all(w, weights);
    for (int i = 0; i < calls; i++) {
      double t0 = now();
      sink += read_all(w, weights);
      times[i] = now() - t0;
    }
    qsort(times, calls, sizeof(double), compare);
    floor_us = times[calls / 2] * 1e6;
    if (sink == 1234.5f) puts("");  /* keep the sums alive */
    free(w);
  }
  printf("{\"single_us\": %.3f, \"batch_rows_per_s\": %.1f, \"read_floor_us\": %.3f}\n",
         single * 1e6, rounds * batch / elapsed, floor_us);
  ae_workspace_free(workspace);
  ae_model_close(model);
  free(times); free(x); free(y);
  return 0;
}
