/*
 * test_autoencoder: checks libautoencoder against results the Swift side (the `ae` tool)
 * computed, and exercises every error path of the C API.
 *
 *   test_autoencoder MODEL X.csv Z.csv Y.csv OBJECTIVE OTHER_MODEL SCRATCH_DIR VAE SAMPLES.csv
 *
 * X.csv holds inputs, Z.csv and Y.csv what `ae encode` and `ae reconstruct` wrote for them,
 * OBJECTIVE the "objective" of `ae eval` on X, OTHER_MODEL any other model file, VAE a
 * variational model and SAMPLES.csv what `ae sample VAE -n 5 --seed 7` wrote.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 *
 * Unless built with -DAE_TEST_UNDER_VALGRIND, it defines malloc and friends itself (calling
 * glibc's) to count allocations, proving that the _ws calls allocate nothing, and requires
 * results from different batch sizes and threads to be identical bit for bit. Under valgrind
 * (which replaces malloc, and emulates the CPU so OpenBLAS picks other kernels) those two
 * checks become "no allocation check" and "equal to 1e-4".
 */
#include <autoencoder.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(condition, ...)                                                   \
  do {                                                                          \
    if (condition) {                                                            \
      passed++;                                                                 \
    } else {                                                                    \
      failed++;                                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                      \
      fprintf(stderr, __VA_ARGS__);                                             \
      fprintf(stderr, " [last error: %s]\n", ae_last_error());                  \
    }                                                                           \
  } while (0)

/* ---- allocation counting ---------------------------------------------------------------- */
#ifndef AE_TEST_UNDER_VALGRIND
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
static volatile int counting;
static volatile long allocations;
void *malloc(size_t size) { if (counting) allocations++; return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { if (counting) allocations++; return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { if (counting) allocations++; return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { if (counting) allocations++; return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  void *p = memalign(alignment, size);
  if (!p) return 12;
  *out = p;
  return 0;
}
#define COUNT_START() (allocations = 0, counting = 1)
#define COUNT_STOP() (counting = 0, allocations)
#endif

/* ---- small helpers ---------------------------------------------------------------------- */

/* Read a CSV of numbers into a malloc'd array; sets *rows and *cols. */
static float *read_csv(const char *path, size_t *rows, size_t *cols) {
  FILE *file = fopen(path, "r");
  if (!file) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  size_t capacity = 1024, count = 0, lines = 0, width = 0;
  float *values = malloc(capacity * sizeof(float));
  static char line[1 << 20];
  while (fgets(line, sizeof line, file)) {
    size_t here = 0;
    for (char *cursor = line, *end;; cursor = end + 1) {
      float v = strtof(cursor, &end);
      if (end == cursor) break;
      if (count == capacity) values = realloc(values, (capacity *= 2) * sizeof(float));
      values[count++] = v;
      here++;
      if (*end != ',') break;
    }
    if (here == 0) continue;
    if (width && here != width) { fprintf(stderr, "%s: ragged line %zu\n", path, lines + 1); exit(2); }
    width = here;
    lines++;
  }
  fclose(file);
  *rows = lines;
  *cols = width;
  return values;
}

static double max_relative_difference(const float *a, const float *b, size_t count) {
  double worst = 0;
  for (size_t i = 0; i < count; i++) {
    double scale = fmax(1e-3, fmax(fabs(a[i]), fabs(b[i])));
    worst = fmax(worst, fabs((double)a[i] - b[i]) / scale);
  }
  return worst;
}

/* The same values: bit for bit natively, to 1e-4 under valgrind's CPU emulation. */
static int same(const float *a, const float *b, size_t count) {
#ifdef AE_TEST_UNDER_VALGRIND
  return max_relative_difference(a, b, count) < 1e-4;
#else
  return memcmp(a, b, count * sizeof(float)) == 0;
#endif
}

static unsigned char *read_file(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  if (!file) return NULL;
  fseek(file, 0, SEEK_END);
  *length = (size_t)ftell(file);
  fseek(file, 0, SEEK_SET);
  unsigned char *bytes = malloc(*length);
  if (fread(bytes, 1, *length, file) != *length) { free(bytes); bytes = NULL; }
  fclose(file);
  return bytes;
}

static void write_file(const char *path, const void *bytes, size_t length) {
  FILE *file = fopen(path, "wb");
  fwrite(bytes, 1, length, file);
  fclose(file);
}

/* ---- threads ---------------------------------------------------------------------------- */

struct job {
  const ae_model *model;
  const float *x;
  size_t rows;
  float *z;
  int status;
};

static void *encode_job(void *argument) {
  struct job *job = argument;
  ae_workspace *workspace = NULL;
  job->status = ae_workspace_create(job->model, 7, &workspace);
  for (int repeat = 0; repeat < 5 && job->status == AE_OK; repeat++)
    job->status = ae_encode_ws(job->model, workspace, job->x, job->rows, job->z);
  ae_workspace_free(workspace);
  return NULL;
}

/* ---- the tests -------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  if (argc != 12) {
    fprintf(stderr, "usage: %s MODEL X.csv Z.csv Y.csv OBJECTIVE OTHER_MODEL SCRATCH_DIR VAE SAMPLES.csv CVAE CVAE_Y.csv\n"
                    "  (CVAE was trained on X.csv with row r labelled r %% 3; CVAE_Y.csv is its reconstruction)\n", argv[0]);
    return 2;
  }
  const char *model_path = argv[1], *other_path = argv[6], *scratch = argv[7];
  double objective = atof(argv[5]);
  size_t rows, width, zrows, latent, yrows, ywidth;
  float *x = read_csv(argv[2], &rows, &width);
  float *expected_z = read_csv(argv[3], &zrows, &latent);
  float *expected_y = read_csv(argv[4], &yrows, &ywidth);

  /* versions */
  CHECK(strcmp(ae_version(), AE_VERSION) == 0, "ae_version %s vs header %s", ae_version(), AE_VERSION);
  CHECK(ae_version_number() == AE_VERSION_NUMBER, "version number");
  CHECK(ae_abi_version() == AE_ABI_VERSION, "abi version");
  CHECK(strcmp(ae_last_error(), "") == 0, "no error before any call");
  for (int s = 0; s <= 10; s++) CHECK(ae_status_string((ae_status)s) && *ae_status_string((ae_status)s), "status text %d", s);
  CHECK(strcmp(ae_status_string((ae_status)12345), "unknown status") == 0, "unknown status text");

  /* open and introspect */
  ae_model *model = NULL;
  CHECK(ae_model_open(model_path, &model) == AE_OK, "open %s", model_path);
  if (!model) { fprintf(stderr, "cannot continue\n"); return 1; }
  CHECK(ae_model_input_dim(model) == width, "input dim %zu vs data %zu", ae_model_input_dim(model), width);
  CHECK(ae_model_latent_dim(model) == latent, "latent dim %zu vs %zu", ae_model_latent_dim(model), latent);
  CHECK(zrows == rows && yrows == rows && ywidth == width, "reference files match the inputs");
  CHECK(strcmp(ae_model_kind(model), "dense") == 0, "kind %s", ae_model_kind(model));
  CHECK(ae_model_layer_count(model) == 4, "layer count %zu", ae_model_layer_count(model));
  CHECK(ae_model_can_sample(model) == 0, "a dense model cannot sample");
  const char *method = NULL;
  const float *offset = NULL, *scale = NULL;
  CHECK(ae_model_scaling(model, &method, &offset, &scale) == AE_OK && method && offset && scale, "scaling");
  size_t shape[3] = {0, 0, 0};
  ae_status shape_status = ae_model_input_shape(model, shape);
  CHECK(shape_status == AE_OK ? shape[0] * shape[1] * shape[2] == width : shape_status == AE_ERROR_UNSUPPORTED,
        "input shape status %d", shape_status);

  /* results equal what the Swift side computed */
  float *z = malloc(rows * latent * sizeof(float)), *y = malloc(rows * width * sizeof(float));
  float *scores = malloc(rows * sizeof(float)), *decoded = malloc(rows * width * sizeof(float));
  CHECK(ae_encode(model, x, rows, z) == AE_OK, "encode");
  CHECK(max_relative_difference(z, expected_z, rows * latent) < 1e-5, "codes differ from ae encode by %g",
        max_relative_difference(z, expected_z, rows * latent));
  CHECK(ae_reconstruct(model, x, rows, y) == AE_OK, "reconstruct");
  CHECK(max_relative_difference(y, expected_y, rows * width) < 1e-5, "reconstructions differ from ae reconstruct by %g",
        max_relative_difference(y, expected_y, rows * width));
  CHECK(ae_decode(model, z, rows, decoded) == AE_OK, "decode");
  CHECK(same(decoded, y, rows * width), "decode(encode(x)) == reconstruct(x)");
  CHECK(ae_score(model, x, rows, scores) == AE_OK, "score");
  double mean = 0;
  for (size_t r = 0; r < rows; r++) mean += scores[r] / rows;
  CHECK(fabs(mean - objective) < 1e-4 * fabs(objective), "mean score %g vs ae eval objective %g", mean, objective);

  /* workspaces give the same results (to rounding: passes of 3 rows may use other BLAS
   * kernels than one pass of all rows), allocate nothing, and run in passes */
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(model, 3, &workspace) == AE_OK, "workspace");
  float *z2 = malloc(rows * latent * sizeof(float)), *y2 = malloc(rows * width * sizeof(float)), *s2 = malloc(rows * sizeof(float));
  CHECK(ae_encode_ws(model, workspace, x, rows, z2) == AE_OK && max_relative_difference(z, z2, rows * latent) < 1e-5, "encode_ws ~ encode");
  CHECK(ae_reconstruct_ws(model, workspace, x, rows, y2) == AE_OK && max_relative_difference(y, y2, rows * width) < 1e-5, "reconstruct_ws ~ reconstruct");
  CHECK(ae_decode_ws(model, workspace, z, rows, y2) == AE_OK && max_relative_difference(y, y2, rows * width) < 1e-5, "decode_ws ~ decode");
  CHECK(ae_score_ws(model, workspace, x, rows, s2) == AE_OK && max_relative_difference(scores, s2, rows) < 1e-5, "score_ws ~ score");
#ifndef AE_TEST_UNDER_VALGRIND
  COUNT_START();
  ae_status ws_status = ae_encode_ws(model, workspace, x, rows, z2);
  ws_status |= ae_reconstruct_ws(model, workspace, x, rows, y2);
  ws_status |= ae_decode_ws(model, workspace, z, rows, y2);
  ws_status |= ae_score_ws(model, workspace, x, rows, s2);
  long counted = COUNT_STOP();
  CHECK(ws_status == AE_OK && counted == 0, "the _ws calls made %ld allocations", counted);
  COUNT_START();
  ws_status = ae_encode(model, x, rows, z2);
  counted = COUNT_STOP();
  CHECK(ws_status == AE_OK && counted > 0, "the allocation counter works (ae_encode allocates its scratch: %ld)", counted);
#endif

  /* many threads on one model give the sequential results, bit for bit */
  float *sequential = malloc(rows * latent * sizeof(float));
  struct job reference = {model, x, rows, sequential, -1};
  encode_job(&reference);
  CHECK(reference.status == AE_OK, "sequential reference");
  enum { THREADS = 8 };
  pthread_t threads[THREADS];
  struct job jobs[THREADS];
  for (int t = 0; t < THREADS; t++) {
    jobs[t] = (struct job){model, x, rows, malloc(rows * latent * sizeof(float)), -1};
    pthread_create(&threads[t], NULL, encode_job, &jobs[t]);
  }
  for (int t = 0; t < THREADS; t++) {
    pthread_join(threads[t], NULL);
    CHECK(jobs[t].status == AE_OK && same(jobs[t].z, sequential, rows * latent), "thread %d: status %d, difference %g", t,
          jobs[t].status, max_relative_difference(jobs[t].z, sequential, rows * latent));
    free(jobs[t].z);
  }

  /* opening from memory */
  size_t length = 0;
  unsigned char *bytes = read_file(model_path, &length);
  ae_model *from_memory = NULL;
  CHECK(bytes && ae_model_open_memory(bytes, length, &from_memory) == AE_OK, "open from memory");
  free(bytes);
  if (from_memory) {
    CHECK(ae_encode(from_memory, x, rows, z2) == AE_OK && same(z, z2, rows * latent), "memory model == file model");
  }

  /* error paths: status, message, out-parameters untouched */
  ae_model *untouched = (ae_model *)(uintptr_t)0x1234;
  CHECK(ae_model_open(NULL, &untouched) == AE_ERROR_INVALID_ARGUMENT && untouched == (ae_model *)(uintptr_t)0x1234, "NULL path");
  CHECK(ae_model_open(model_path, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL out-pointer");
  char missing[4096];
  snprintf(missing, sizeof missing, "%s/does-not-exist.h5", scratch);
  CHECK(ae_model_open(missing, &untouched) == AE_ERROR_IO && strstr(ae_last_error(), "does-not-exist.h5"), "missing file");
  char text_path[4096];
  snprintf(text_path, sizeof text_path, "%s/text.h5", scratch);
  write_file(text_path, "definitely not hdf5", 19);
  CHECK(ae_model_open(text_path, &untouched) == AE_ERROR_FORMAT && strstr(ae_last_error(), "not an HDF5 file"), "text file");
  bytes = read_file(model_path, &length);
  char cut_path[4096];
  snprintf(cut_path, sizeof cut_path, "%s/cut.h5", scratch);
  write_file(cut_path, bytes, length / 2);
  CHECK(ae_model_open(cut_path, &untouched) == AE_ERROR_FORMAT && strstr(ae_last_error(), "cut.h5"), "truncated file");
  CHECK(ae_model_open_memory(bytes, length / 3, &untouched) == AE_ERROR_FORMAT, "truncated image");
  CHECK(ae_model_open_memory(NULL, 10, &untouched) == AE_ERROR_INVALID_ARGUMENT, "NULL image");
  CHECK(ae_model_open_memory(bytes, 4, &untouched) == AE_ERROR_FORMAT, "tiny image");
  ((unsigned char *)bytes)[length / 2] ^= 0x10; /* one flipped bit: caught by the file's CRC-32 */
  CHECK(ae_model_open_memory(bytes, length, &untouched) == AE_ERROR_FORMAT && strstr(ae_last_error(), "damaged"),
        "a damaged image: %s", ae_last_error());
  free(bytes);
  CHECK(untouched == (ae_model *)(uintptr_t)0x1234, "failed opens leave *model alone");

  for (size_t i = 0; i < rows * latent; i++) z2[i] = -7.0f;
  CHECK(ae_encode(NULL, x, rows, z2) == AE_ERROR_INVALID_ARGUMENT, "NULL model");
  CHECK(ae_encode(model, NULL, rows, z2) == AE_ERROR_INVALID_ARGUMENT, "NULL input");
  CHECK(ae_encode(model, x, rows, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL output");
  CHECK(ae_encode(model, x, 0, z2) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "n is 0"), "zero rows");
  CHECK(ae_encode(model, x, SIZE_MAX / 2, z2) == AE_ERROR_OVERFLOW, "huge n");
  CHECK(ae_reconstruct(model, x, SIZE_MAX, y2) == AE_ERROR_OVERFLOW, "SIZE_MAX rows");
  float *bad = malloc(rows * width * sizeof(float));
  memcpy(bad, x, rows * width * sizeof(float));
  bad[width + 2] = NAN;
  CHECK(ae_encode(model, bad, rows, z2) == AE_ERROR_NON_FINITE && strstr(ae_last_error(), "row 1, column 2"), "NaN input");
  bad[width + 2] = INFINITY;
  CHECK(ae_score(model, bad, rows, s2) == AE_ERROR_NON_FINITE, "infinite input");
  int untouched_output = 1;
  for (size_t i = 0; i < rows * latent; i++) untouched_output &= z2[i] == -7.0f;
  CHECK(untouched_output, "failed calls leave the output alone");
  free(bad);

  ae_model *other = NULL;
  CHECK(ae_model_open(other_path, &other) == AE_OK, "open the other model");
  ae_workspace *other_workspace = NULL;
  CHECK(ae_workspace_create(other, 4, &other_workspace) == AE_OK, "other workspace");
  CHECK(ae_encode_ws(model, other_workspace, x, rows, z2) == AE_ERROR_WORKSPACE, "workspace of another model");
  CHECK(ae_encode_ws(model, NULL, x, rows, z2) == AE_ERROR_INVALID_ARGUMENT, "NULL workspace");
  ae_workspace *no_workspace = NULL;
  CHECK(ae_workspace_create(model, 0, &no_workspace) == AE_ERROR_INVALID_ARGUMENT && no_workspace == NULL, "zero-row workspace");
  CHECK(ae_workspace_create(model, SIZE_MAX, &no_workspace) == AE_ERROR_OVERFLOW && no_workspace == NULL, "huge workspace");
  CHECK(ae_workspace_create(NULL, 4, &no_workspace) == AE_ERROR_INVALID_ARGUMENT, "workspace without model");
  CHECK(ae_model_input_shape(model, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL shape");
  CHECK(ae_model_input_dim(NULL) == 0 && ae_model_kind(NULL) == NULL, "introspection of NULL");

  /* generative models: same seed, same samples as the Swift side; plain models refuse */
  CHECK(ae_sample(model, 2, 1, 1.0f, y2, NULL) == AE_ERROR_UNSUPPORTED, "a dense model cannot sample");
  CHECK(ae_encode_distribution(model, x, rows, z2, z2) == AE_ERROR_UNSUPPORTED, "a dense model has no posterior");
  ae_model *vae = NULL;
  CHECK(ae_model_open(argv[8], &vae) == AE_OK, "open the vae");
  if (vae) {
    size_t samples_rows, samples_width;
    float *expected_samples = read_csv(argv[9], &samples_rows, &samples_width);
    size_t vae_latent = ae_model_latent_dim(vae);
    CHECK(ae_model_can_sample(vae) == 1 && strcmp(ae_model_kind(vae), "vae") == 0, "the vae can sample");
    CHECK(samples_width == ae_model_input_dim(vae), "sample width");
    float *samples = malloc(samples_rows * samples_width * sizeof(float)), *codes = malloc(samples_rows * vae_latent * sizeof(float));
    CHECK(ae_sample(vae, samples_rows, 7, 1.0f, samples, codes) == AE_OK, "sample");
    CHECK(same(samples, expected_samples, samples_rows * samples_width),
          "samples differ from ae sample by %g", max_relative_difference(samples, expected_samples, samples_rows * samples_width));
    ae_workspace *vae_workspace = NULL;
    CHECK(ae_workspace_create(vae, 2, &vae_workspace) == AE_OK, "vae workspace");
    float *again = malloc(samples_rows * samples_width * sizeof(float));
#ifndef AE_TEST_UNDER_VALGRIND
    COUNT_START();
#endif
    ae_status sampled = ae_sample_ws(vae, vae_workspace, samples_rows, 7, 1.0f, again, NULL);
#ifndef AE_TEST_UNDER_VALGRIND
    long sample_allocations = COUNT_STOP();
    CHECK(sample_allocations == 0, "ae_sample_ws made %ld allocations", sample_allocations);
#endif
    CHECK(sampled == AE_OK && max_relative_difference(again, samples, samples_rows * samples_width) < 1e-5, /* other passes, other BLAS kernels */
          "sample_ws in passes of 2 ~ sample: %g", max_relative_difference(again, samples, samples_rows * samples_width));
    CHECK(ae_sample(vae, 3, 7, -1.0f, again, NULL) == AE_ERROR_INVALID_ARGUMENT, "negative temperature");
    CHECK(ae_model_class_count(vae) == 0 && ae_sample_class(vae, 3, 0, 7, 1.0f, again, NULL) == AE_ERROR_UNSUPPORTED,
          "a plain vae has no classes");
    CHECK(ae_sample(vae, 0, 7, 1.0f, again, NULL) == AE_ERROR_INVALID_ARGUMENT, "zero samples");
    float *mean = malloc(samples_rows * vae_latent * sizeof(float)), *log_variance = malloc(samples_rows * vae_latent * sizeof(float));
    CHECK(ae_encode_distribution(vae, samples, samples_rows, mean, log_variance) == AE_OK, "encode_distribution");
    CHECK(ae_encode(vae, samples, samples_rows, codes) == AE_OK && same(codes, mean, samples_rows * vae_latent), "encode gives the means");
    float *path = malloc(4 * samples_width * sizeof(float));
    CHECK(ae_interpolate(vae, mean, mean + vae_latent, 4, 1, path) == AE_OK, "interpolate");
    CHECK(ae_interpolate(vae, mean, mean + vae_latent, 1, 1, path) == AE_ERROR_INVALID_ARGUMENT, "one-step path");
    ae_workspace_free(vae_workspace);
    free(expected_samples); free(samples); free(codes); free(again); free(mean); free(log_variance); free(path);
    ae_model_close(vae);
  }

  /* conditional models: a label per row through the _labeled calls; others refuse labels */
  int *labels = malloc(rows * sizeof(int));
  for (size_t r = 0; r < rows; r++) labels[r] = (int)(r % 3);
  CHECK(ae_encode_labeled(model, NULL, x, labels, rows, z2) == AE_ERROR_UNSUPPORTED, "a dense model takes no labels");
  ae_model *cvae = NULL;
  CHECK(ae_model_open(argv[10], &cvae) == AE_OK, "open the cvae");
  if (cvae) {
    size_t cy_rows, cy_width;
    float *expected = read_csv(argv[11], &cy_rows, &cy_width);
    size_t k = ae_model_latent_dim(cvae);
    float *out = malloc(rows * width * sizeof(float)), *codes = malloc(rows * k * sizeof(float));
    CHECK(ae_model_class_count(cvae) == 3 && cy_rows == rows && cy_width == width, "cvae: 3 classes, %zu x %zu", cy_rows, cy_width);
    CHECK(ae_reconstruct_labeled(cvae, NULL, x, labels, rows, out) == AE_OK, "reconstruct_labeled: %s", ae_last_error());
    CHECK(same(out, expected, rows * width), "labeled reconstructions differ from ae reconstruct by %g",
          max_relative_difference(out, expected, rows * width));
    ae_workspace *cvae_workspace = NULL;
    CHECK(ae_workspace_create(cvae, 8, &cvae_workspace) == AE_OK, "cvae workspace");
    float *again = malloc(rows * width * sizeof(float));
    CHECK(ae_encode_labeled(cvae, cvae_workspace, x, labels, rows, codes) == AE_OK &&
          ae_decode_labeled(cvae, cvae_workspace, codes, labels, rows, again) == AE_OK &&
          max_relative_difference(again, expected, rows * width) < 1e-5, /* passes of 8 rows, not 60 */
          "encode then decode with labels ~ reconstruct: %g", max_relative_difference(again, expected, rows * width));
    float *scores = malloc(rows * sizeof(float));
#ifndef AE_TEST_UNDER_VALGRIND
    COUNT_START();
#endif
    ae_status scored = ae_score_labeled(cvae, cvae_workspace, x, labels, rows, scores);
#ifndef AE_TEST_UNDER_VALGRIND
    long labeled_allocations = COUNT_STOP();
    CHECK(labeled_allocations == 0, "ae_score_labeled with a workspace made %ld allocations", labeled_allocations);
#endif
    CHECK(scored == AE_OK && scores[0] > 0, "score_labeled");
    CHECK(ae_reconstruct(cvae, x, rows, out) == AE_ERROR_UNSUPPORTED, "a cvae needs labels");
    CHECK(ae_reconstruct_labeled(cvae, NULL, x, NULL, rows, out) == AE_ERROR_INVALID_ARGUMENT, "NULL labels");
    labels[1] = 3;
    CHECK(ae_reconstruct_labeled(cvae, NULL, x, labels, rows, out) == AE_ERROR_INVALID_ARGUMENT &&
          strstr(ae_last_error(), "label 3 of row 1") != NULL, "label out of range: %s", ae_last_error());
    labels[1] = 1;
    CHECK(ae_reconstruct_labeled(cvae, other_workspace, x, labels, rows, out) == AE_ERROR_WORKSPACE, "another model's workspace");
    ae_workspace_free(cvae_workspace);
    free(expected); free(out); free(codes); free(again); free(scores);
    ae_model_close(cvae);
  }
  free(labels);

  ae_workspace_free(other_workspace);
  ae_model_close(other);
  ae_workspace_free(workspace);
  ae_workspace_free(NULL);
  ae_model_close(from_memory);
  ae_model_close(model);
  ae_model_close(NULL);

  free(x); free(expected_z); free(expected_y); free(z); free(y); free(scores); free(decoded);
  free(z2); free(y2); free(s2); free(sequential);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
