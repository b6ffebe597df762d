/*
 * sample: print new rows drawn from a variational model (vae or cvae), using libautoencoder's
 * options struct (ae_sample_options) and, for conditional models, their condition groups.
 *
 *   sample model.h5 N [--seed S] [--temperature T] [--class L] [--threads K]
 *
 * Prints N rows of input_dim numbers (CSV, in the data's units) on stdout, and what the model
 * is conditioned on on stderr. --class draws every row of class L (a cvae whose condition is
 * one class label); without it a cvae's classes are drawn from the seed. --threads K runs
 * the call on a workspace of K threads. The same seed gives the same rows as `ae sample`.
 *
 * Build: cc sample.c $(pkg-config --cflags --libs autoencoder) -o sample
 */
#include <autoencoder.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage = "usage: sample model.h5 N [--seed S] [--temperature T] [--class L] [--threads K]\n";

int main(int argc, char **argv) {
  if (argc < 3) {
    fputs(usage, stderr);
    return 2;
  }
  size_t n = strtoul(argv[2], NULL, 10);
  int threads = 0;
  /* Start from the defaults, then set what the command line says: the struct's size field,
   * set by the initializer, is what lets the struct grow in later versions. */
  ae_sample_options options = ae_sample_options_default();
  for (int i = 3; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--seed") == 0) options.seed = strtoull(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--temperature") == 0) options.temperature = strtof(argv[i + 1], NULL);
    else if (strcmp(argv[i], "--class") == 0) options.label = (int32_t)strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
    else { fputs(usage, stderr); return 2; }
  }
  if ((argc - 3) % 2 != 0) { fputs(usage, stderr); return 2; }

  ae_model *model = NULL;
  if (ae_model_open(argv[1], &model) != AE_OK) {
    fprintf(stderr, "sample: %s\n", ae_last_error());
    return 1;
  }
  /* What the model is conditioned on: its groups, side by side in a condition row. */
  size_t groups = ae_model_condition_group_count(model);
  fprintf(stderr, "sample: a %s model, %zu values a row; ", ae_model_kind(model), ae_model_input_dim(model));
  if (groups == 0) fprintf(stderr, "no conditions\n");
  for (size_t g = 0; g < groups; g++) {
    const char *name = NULL;
    int kind = 0;
    size_t width = 0;
    if (ae_model_condition_group(model, g, &name, &kind, &width) == AE_OK)
      fprintf(stderr, "%s%s (%s, %zu)%s", g ? ", " : "conditions: ", name, kind == AE_CONDITION_ONE_HOT ? "one-hot" : "continuous",
              width, g + 1 == groups ? "\n" : "");
  }
  if (!ae_model_can_sample(model) && options.label < 0) {
    fprintf(stderr, "sample: this model cannot draw its own conditions (or cannot sample at all)\n");
    ae_model_close(model);
    return 1;
  }

  size_t width = ae_model_input_dim(model);
  float *x = n > 0 && n <= 1000000 ? malloc(n * width * sizeof(float)) : NULL;
  ae_workspace *workspace = NULL;
  ae_status status = x ? AE_OK : AE_ERROR_INVALID_ARGUMENT;
  if (status == AE_OK && threads > 0) {
    status = ae_workspace_create(model, 256, &workspace);
    if (status == AE_OK) status = ae_workspace_set_threads(workspace, threads);
  }
  /* workspace may be NULL: the call then allocates its own scratch. */
  if (status == AE_OK) status = ae_sample_v2(model, workspace, n, &options, x, NULL);
  if (status != AE_OK) {
    fprintf(stderr, "sample: %s: %s\n", ae_status_string(status), x ? ae_last_error() : "N must be 1 to 1000000");
  } else {
    for (size_t r = 0; r < n; r++)
      for (size_t j = 0; j < width; j++) printf("%.9g%c", x[r * width + j], j + 1 < width ? ',' : '\n');
  }
  free(x);
  ae_workspace_free(workspace);
  ae_model_close(model);
  return status == AE_OK ? 0 : 1;
}
