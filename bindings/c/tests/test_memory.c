/*
 * test_memory: exhausted memory comes back as AE_ERROR_OUT_OF_MEMORY, never as an abort.
 * run.sh runs it under a virtual-memory limit (ulimit -v), where a workspace of BYTES bytes
 * (less than physical memory, more than the limit allows) must fail in its allocation; then
 * the library must still work. Prints "N passed, M failed"; exits non-zero on any failure.
 *
 *   test_memory MODEL BYTES
 */
#include <autoencoder.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL BYTES\n", argv[0]);
    return 2;
  }
  size_t bytes = (size_t)strtoull(argv[2], NULL, 10);
  ae_model *model = NULL;
  ae_status status = ae_model_open(argv[1], &model);
  CHECK(status == AE_OK, "open %s under the limit: %d", argv[1], status);
  if (!model) return 1;
  size_t width = ae_model_input_dim(model), latent = ae_model_latent_dim(model);

  /* A workspace whose scaled inputs alone take `bytes`. */
  ae_workspace *workspace = (ae_workspace *)(uintptr_t)0x1234;
  status = ae_workspace_create(model, bytes / (width * sizeof(float)), &workspace);
  double physical = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
  CHECK(status == AE_ERROR_OUT_OF_MEMORY && workspace == (ae_workspace *)(uintptr_t)0x1234, "a %zu-byte workspace: status %d", bytes,
        status);
  /* Where the machine has the memory, it was the allocation that failed, not the size check. */
  if (physical > 4.0 * (double)bytes)
    CHECK(strstr(ae_last_error(), "cannot allocate") != NULL, "the allocation failed: %s", ae_last_error());

  /* The library still works: a small workspace, a call with its own scratch. */
  workspace = NULL;
  float *row = calloc(width, sizeof(float)), *code = calloc(latent, sizeof(float));
  CHECK(ae_workspace_create(model, 16, &workspace) == AE_OK, "a small workspace after the failure");
  CHECK(ae_encode_ws(model, workspace, row, 1, code) == AE_OK, "encode_ws after the failure");
  CHECK(ae_encode(model, row, 1, code) == AE_OK, "encode after the failure");
  ae_workspace_free(workspace);
  ae_model_close(model);
  free(row);
  free(code);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
