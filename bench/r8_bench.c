/*
 * R8, our side in C: single-row latency and batch-256 throughput of ae_reconstruct_ws.
 *   r8_bench MODEL [CALLS]   -> one JSON line
 * Threads: OPENBLAS_NUM_THREADS (read by OpenBLAS when the library loads).
 */
#include <autoencoder.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s MODEL [CALLS]\n", argv[0]); return 2; }
  int calls = argc > 2 ? atoi(argv[2]) : 5000;
  ae_model *model = NULL;
  if (ae_model_open(argv[1], &model) != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }
  size_t d = ae_model_input_dim(model), batch = 256;
  float *x = malloc(sizeof(float) * d * batch), *y = malloc(sizeof(float) * d * batch);
  srand(1);
  for (size_t i = 0; i < d * batch; i++) x[i] = (float)(rand() % 256);
  ae_workspace *workspace = NULL;
  if (ae_workspace_create(model, batch, &workspace) != AE_OK) { fprintf(stderr, "%s\n", ae_last_error()); return 1; }

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
  printf("{\"single_us\": %.3f, \"batch_rows_per_s\": %.1f}\n", single * 1e6, rounds * batch / elapsed);
  ae_workspace_free(workspace);
  ae_model_close(model);
  free(times); free(x); free(y);
  return 0;
}
