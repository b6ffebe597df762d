/*
 * test_autoencoder: checks libautoencoder against results the Swift side (the `ae` tool)
 * computed, and exercises every error path of the C API.
 *
 *   test_autoencoder MODEL X.csv Z.csv Y.csv OBJECTIVE OTHER_MODEL SCRATCH_DIR VAE SAMPLES.csv CVAE CVAE_Y.csv [TWO_GROUPS]
 *
 * X.csv holds inputs, Z.csv and Y.csv what `ae encode` and `ae reconstruct` wrote for them,
 * OBJECTIVE the "objective" of `ae eval` on X, OTHER_MODEL any other model file, VAE a
 * variational model and SAMPLES.csv what `ae sample VAE -n 5 --seed 7` wrote, CVAE a
 * conditional VAE of 3 classes trained on X with row r labelled r % 3 and CVAE_Y.csv its
 * reconstructions, TWO_GROUPS (optional) a cvae with a one-hot group of 3 and a continuous
 * group of 2 (see conditions_model.py). The 0.2 additions are checked in test_v2.h.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 *
 * Unless built with -DAE_TEST_UNDER_VALGRIND, it defines malloc and friends itself (calling
 * glibc's) to count allocations, proving that the _ws calls allocate nothing, and requires
 * results from different batch sizes and threads to be identical bit for bit. Under valgrind
 * (which replaces malloc, and emulates the CPU so OpenBLAS picks other kernels) those two
 * checks become "no allocation check" and "equal to 1e-4".
 */
#include <autoencoder.h>

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* ---- allocation counting ---------------------------------------------------------------- */
#include "allocation_counter.h"

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

/* ---- statuses: every code the header names has a text ------------------------------------ */

static void test_statuses(void) {
  const ae_status all[] = {AE_OK, AE_ERROR_INVALID_ARGUMENT, AE_ERROR_IO, AE_ERROR_FORMAT, AE_ERROR_VERSION,
                           AE_ERROR_DIMENSION, AE_ERROR_NON_FINITE, AE_ERROR_OVERFLOW, AE_ERROR_OUT_OF_MEMORY,
                           AE_ERROR_UNSUPPORTED, AE_ERROR_WORKSPACE, AE_ERROR_MISUSE, AE_ERROR_UNVERIFIED, AE_ERROR_QUEUE_FULL,
                           AE_ERROR_INTERNAL};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    const char *text = ae_status_string(all[i]);
    CHECK(text && *text && strcmp(text, "unknown status") != 0, "status %d has no text", (int)all[i]);
    for (size_t j = 0; j < i; j++) CHECK(strcmp(text, ae_status_string(all[j])) != 0, "statuses %d and %d share a text", (int)all[i], (int)all[j]);
  }
  CHECK(strcmp(ae_status_string((ae_status)14), "unknown status") == 0 && strcmp(ae_status_string((ae_status)-1), "unknown status") == 0,
        "values between and beyond the codes are unknown");
}

/* ---- misuse: bad handles give AE_ERROR_MISUSE, never a crash ----------------------------- */

static int is_misuse(ae_status status, const char *fragment) {
  return status == AE_ERROR_MISUSE && strstr(ae_last_error(), fragment) != NULL;
}

/* Every call that takes a model, given `model`, returns AE_ERROR_MISUSE naming `fragment`;
 * workspace is a live one or NULL. */
static void expect_model_misuse(const char *what, ae_model *model, ae_workspace *workspace, const char *fragment,
                                const float *x, size_t width) {
  float out[4096], out2[4096];
  int labels[1] = {0};
  size_t shape[3];
  const char *method = NULL;
  ae_workspace *made = NULL;
  float code[64] = {0};
  if (width > 4096) return;
  CHECK(is_misuse(ae_encode(model, x, 1, out), fragment), "%s: ae_encode gave %s", what, ae_last_error());
  CHECK(is_misuse(ae_decode(model, code, 1, out), fragment), "%s: ae_decode", what);
  CHECK(is_misuse(ae_reconstruct(model, x, 1, out), fragment), "%s: ae_reconstruct", what);
  CHECK(is_misuse(ae_score(model, x, 1, out), fragment), "%s: ae_score", what);
  double threshold = 0;
  int classes[1];
  CHECK(is_misuse(ae_model_threshold(model, &threshold), fragment), "%s: ae_model_threshold", what);
  CHECK(is_misuse(ae_classify(model, x, 1, classes), fragment), "%s: ae_classify", what);
  CHECK(ae_model_score_kind(model) == NULL, "%s: ae_model_score_kind", what);
  CHECK(is_misuse(ae_encode_ws(model, workspace, x, 1, out), fragment), "%s: ae_encode_ws", what);
  CHECK(is_misuse(ae_decode_ws(model, workspace, code, 1, out), fragment), "%s: ae_decode_ws", what);
  CHECK(is_misuse(ae_reconstruct_ws(model, workspace, x, 1, out), fragment), "%s: ae_reconstruct_ws", what);
  CHECK(is_misuse(ae_score_ws(model, workspace, x, 1, out), fragment), "%s: ae_score_ws", what);
  CHECK(is_misuse(ae_encode_labeled(model, NULL, x, labels, 1, out), fragment), "%s: ae_encode_labeled", what);
  CHECK(is_misuse(ae_decode_labeled(model, NULL, code, labels, 1, out), fragment), "%s: ae_decode_labeled", what);
  CHECK(is_misuse(ae_reconstruct_labeled(model, NULL, x, labels, 1, out), fragment), "%s: ae_reconstruct_labeled", what);
  CHECK(is_misuse(ae_score_labeled(model, NULL, x, labels, 1, out), fragment), "%s: ae_score_labeled", what);
  CHECK(is_misuse(ae_encode_distribution(model, x, 1, out, out2), fragment), "%s: ae_encode_distribution", what);
  CHECK(is_misuse(ae_sample(model, 1, 7, 1.0f, out, NULL), fragment), "%s: ae_sample", what);
  CHECK(is_misuse(ae_sample_ws(model, workspace, 1, 7, 1.0f, out, NULL), fragment), "%s: ae_sample_ws", what);
  CHECK(is_misuse(ae_sample_class(model, 1, 0, 7, 1.0f, out, NULL), fragment), "%s: ae_sample_class", what);
  CHECK(is_misuse(ae_interpolate(model, code, code, 2, 0, out), fragment), "%s: ae_interpolate", what);
  float condition[64] = {0};
  CHECK(is_misuse(ae_encode_conditioned(model, NULL, x, condition, 1, out), fragment), "%s: ae_encode_conditioned", what);
  CHECK(is_misuse(ae_decode_conditioned(model, NULL, code, condition, 1, out), fragment), "%s: ae_decode_conditioned", what);
  CHECK(is_misuse(ae_reconstruct_conditioned(model, NULL, x, condition, 1, out), fragment), "%s: ae_reconstruct_conditioned", what);
  CHECK(is_misuse(ae_score_conditioned(model, NULL, x, condition, 1, out), fragment), "%s: ae_score_conditioned", what);
  ae_sample_options sample = ae_sample_options_default();
  ae_interpolate_options path = ae_interpolate_options_default();
  ae_encode_options encode = ae_encode_options_default();
  path.steps = 2;
  CHECK(is_misuse(ae_sample_v2(model, workspace, 1, &sample, out, NULL), fragment), "%s: ae_sample_v2", what);
  CHECK(is_misuse(ae_interpolate_v2(model, workspace, code, code, &path, out), fragment), "%s: ae_interpolate_v2", what);
  CHECK(is_misuse(ae_encode_distribution_v2(model, workspace, x, 1, &encode, out, out2), fragment), "%s: ae_encode_distribution_v2", what);
  const char *group = NULL;
  CHECK(is_misuse(ae_model_condition_group(model, 0, &group, NULL, NULL), fragment) && group == NULL, "%s: ae_model_condition_group", what);
  CHECK(ae_model_condition_width(model) == 0 && ae_model_condition_group_count(model) == 0 && strstr(ae_last_error(), fragment),
        "%s: condition introspection gives 0", what);
  CHECK(is_misuse(ae_workspace_create(model, 2, &made), fragment) && made == NULL, "%s: ae_workspace_create", what);
  CHECK(is_misuse(ae_model_input_shape(model, shape), fragment), "%s: ae_model_input_shape", what);
  CHECK(is_misuse(ae_model_scaling(model, &method, NULL, NULL), fragment) && method == NULL, "%s: ae_model_scaling", what);
  CHECK(ae_model_input_dim(model) == 0 && ae_model_latent_dim(model) == 0 && ae_model_layer_count(model) == 0 &&
        ae_model_class_count(model) == 0 && ae_model_can_sample(model) == 0 && ae_model_kind(model) == NULL &&
        ae_model_loss(model) == NULL && strstr(ae_last_error(), fragment), "%s: introspection gives 0 and NULL", what);
  ae_model_close(model);
  CHECK(strstr(ae_last_error(), "ae_model_close") && strstr(ae_last_error(), fragment), "%s: ae_model_close does nothing: %s", what, ae_last_error());
}

/* Every call that takes a workspace, given `workspace` with a live `model`, returns AE_ERROR_MISUSE. */
static void expect_workspace_misuse(const char *what, ae_model *model, ae_workspace *workspace, const char *fragment,
                                    const float *x, size_t width) {
  float out[4096];
  int labels[1] = {0};
  float code[64] = {0};
  if (width > 4096) return;
  CHECK(is_misuse(ae_encode_ws(model, workspace, x, 1, out), fragment), "%s: ae_encode_ws gave %s", what, ae_last_error());
  CHECK(is_misuse(ae_decode_ws(model, workspace, code, 1, out), fragment), "%s: ae_decode_ws", what);
  CHECK(is_misuse(ae_reconstruct_ws(model, workspace, x, 1, out), fragment), "%s: ae_reconstruct_ws", what);
  CHECK(is_misuse(ae_score_ws(model, workspace, x, 1, out), fragment), "%s: ae_score_ws", what);
  CHECK(is_misuse(ae_sample_ws(model, workspace, 1, 7, 1.0f, out, NULL), fragment), "%s: ae_sample_ws", what);
  CHECK(is_misuse(ae_encode_labeled(model, workspace, x, labels, 1, out), fragment), "%s: ae_encode_labeled", what);
  CHECK(is_misuse(ae_score_labeled(model, workspace, x, labels, 1, out), fragment), "%s: ae_score_labeled", what);
  CHECK(is_misuse(ae_reconstruct_conditioned(model, workspace, x, NULL, 1, out), fragment), "%s: ae_reconstruct_conditioned", what);
  ae_sample_options sample = ae_sample_options_default();
  ae_interpolate_options path = ae_interpolate_options_default();
  path.steps = 2;
  CHECK(is_misuse(ae_sample_v2(model, workspace, 1, &sample, out, NULL), fragment), "%s: ae_sample_v2", what);
  CHECK(is_misuse(ae_interpolate_v2(model, workspace, code, code, &path, out), fragment), "%s: ae_interpolate_v2", what);
  CHECK(is_misuse(ae_encode_distribution_v2(model, workspace, x, 1, NULL, out, out), fragment), "%s: ae_encode_distribution_v2", what);
  CHECK(is_misuse(ae_workspace_set_threads(workspace, 2), fragment), "%s: ae_workspace_set_threads", what);
  CHECK(ae_workspace_threads(workspace) == 0 && strstr(ae_last_error(), fragment), "%s: ae_workspace_threads gives 0", what);
  ae_workspace_free(workspace);
  CHECK(strstr(ae_last_error(), "ae_workspace_free") && strstr(ae_last_error(), fragment), "%s: ae_workspace_free does nothing: %s", what,
        ae_last_error());
}

struct contender {
  const ae_model *model;
  ae_workspace *workspace;
  const float *x;
  size_t rows;
  float *z;
  atomic_int started, done; /* spun on by the other thread: atomics, not volatile (TSan) */
  int ok, misuse, other;
};

/* Calls ae_encode_ws on all rows until one is let in (the other thread may hold the workspace). */
static void *long_call(void *argument) {
  struct contender *c = argument;
  c->started = 1;
  ae_status status;
  while ((status = ae_encode_ws(c->model, c->workspace, c->x, c->rows, c->z)) == AE_ERROR_MISUSE) {}
  c->ok = status == AE_OK;
  c->done = 1;
  return NULL;
}

/* Calls ae_model_close on a model while it (probably) computes in another thread. */
static void *plain_call(void *argument) {
  struct contender *c = argument;
  c->started = 1;
  ae_status status = ae_encode(c->model, c->x, c->rows, c->z);
  c->ok = status == AE_OK;
  c->misuse = status == AE_ERROR_MISUSE;
  c->done = 1;
  return NULL;
}

static void test_misuse(const char *model_path, const char *vae_path, const float *x, size_t rows, size_t width) {
  ae_model *model = NULL, *vae = NULL;
  CHECK(ae_model_open(model_path, &model) == AE_OK && ae_model_open(vae_path, &vae) == AE_OK, "misuse: open");
  if (!model || !vae) return;
  size_t latent = ae_model_latent_dim(model);
  float *z = malloc(rows * latent * sizeof(float)), *z2 = malloc(rows * latent * sizeof(float));
  ae_workspace *workspace = NULL, *made = NULL;
  CHECK(ae_workspace_create(model, 4, &workspace) == AE_OK, "misuse: workspace");
  CHECK(ae_encode_ws(model, workspace, x, rows, z) == AE_OK, "misuse: reference codes");

  /* the wrong kind of handle: refused, and closing or freeing it through the wrong call does nothing */
  expect_model_misuse("a workspace as a model", (ae_model *)workspace, workspace, "is a workspace, not a model", x, width);
  expect_workspace_misuse("a model as a workspace", model, (ae_workspace *)model, "is a model, not a workspace", x, width);
  CHECK(ae_encode_ws(model, workspace, x, rows, z2) == AE_OK && same(z, z2, rows * latent),
        "model and workspace still work after the wrong close and free");

  /* pointers the library never returned */
  int on_stack = 0;
  void *on_heap = malloc(256);
  memset(on_heap, 0, 256);
  void *strays[] = {&on_stack, on_heap, (void *)(uintptr_t)0x1234, (void *)(uintptr_t)-64, (void *)x};
  for (size_t i = 0; i < sizeof strays / sizeof strays[0]; i++) {
    char what[64];
    snprintf(what, sizeof what, "stray pointer %zu", i);
    expect_model_misuse(what, (ae_model *)strays[i], workspace, "is not a handle this library returned", x, width);
    expect_workspace_misuse(what, model, (ae_workspace *)strays[i], "is not a handle this library returned", x, width);
  }
  unsigned char zeros[256] = {0};
  CHECK(on_stack == 0 && memcmp(on_heap, zeros, 256) == 0, "stray pointers are never written through");
  free(on_heap);

  /* use after close, close twice; another model opened in between */
  ae_model *closed = NULL;
  ae_workspace *orphan = NULL;
  CHECK(ae_model_open(model_path, &closed) == AE_OK && ae_workspace_create(closed, 3, &orphan) == AE_OK, "misuse: a model to close");
  ae_model_close(closed);
  ae_model *between = NULL;
  CHECK(ae_model_open(model_path, &between) == AE_OK, "misuse: a model opened after the close");
  expect_model_misuse("a closed model", closed, orphan, "was closed", x, width); /* closes it again, too */
  ae_model_close(closed);
  CHECK(strstr(ae_last_error(), "was closed") != NULL, "closing twice more: %s", ae_last_error());
  float *z3 = malloc(rows * latent * sizeof(float));
  CHECK(ae_encode(model, x, rows, z3) == AE_OK && ae_encode(between, x, rows, z2) == AE_OK && same(z3, z2, rows * latent),
        "the model opened in between works");
  free(z3);
  /* its workspace outlives it: still a workspace, of another model than `between`; then freed twice */
  CHECK(ae_encode_ws(between, orphan, x, rows, z2) == AE_ERROR_WORKSPACE, "the closed model's workspace with another model");
  ae_workspace_free(orphan);
  expect_workspace_misuse("a freed workspace", between, orphan, "was freed", x, width); /* frees it again, too */
  ae_model_close(between);
  expect_model_misuse("the model opened in between, closed", between, NULL, "was closed", x, width);

  /* stale handles stay detectable after their slot is handed out again */
  ae_workspace *stale = NULL;
  CHECK(ae_workspace_create(model, 1, &stale) == AE_OK, "misuse: a workspace to free");
  ae_workspace_free(stale);
  int reused = 0, identical = 0, failures = 0;
  for (int i = 0; i < 5000; i++) {
    if (ae_workspace_create(model, 1, &made) != AE_OK) { failures++; continue; }
    reused |= ((uintptr_t)made & ~(uintptr_t)63) == ((uintptr_t)stale & ~(uintptr_t)63);
    identical |= made == stale;
    ae_workspace_free(made);
  }
  CHECK(failures == 0 && reused && !identical, "5000 workspaces: %d failures, stale slot reused %d, same handle %d", failures, reused, identical);
  expect_workspace_misuse("a freed workspace whose slot was reused", model, stale, "was freed", x, width);

  /* one workspace, two threads: while one call runs, the other is refused, never let in */
  size_t big_rows = 20000;
  float *big = malloc(big_rows * width * sizeof(float)), *big_z = malloc(big_rows * latent * sizeof(float));
  for (size_t r = 0; r < big_rows; r++) memcpy(big + r * width, x + (r % rows) * width, width * sizeof(float));
  float small_z[64];
  int contended = 0, wrong = 0, long_ok = 1;
  /* On a loaded machine the two threads may share one core; the short calls sleep between
   * tries so that the long call gets the core and is preempted mid-call by their wake-ups. */
  struct timespec pause = {0, 200000}, began, now;
  clock_gettime(CLOCK_MONOTONIC, &began);
  for (int attempt = 0; !contended; attempt++) {
    clock_gettime(CLOCK_MONOTONIC, &now);
#ifdef AE_TEST_UNDER_VALGRIND
    if (attempt >= 20) break;
#else
    if (attempt >= 20 && now.tv_sec - began.tv_sec > 20) break;
#endif
    struct contender c = {model, workspace, big, big_rows, big_z, 0, 0, 0, 0, 0};
    pthread_t thread;
    pthread_create(&thread, NULL, long_call, &c);
    while (!c.started) {}
    while (!c.done) {
      ae_status status = ae_encode_ws(model, workspace, x, 1, small_z);
      if (status == AE_ERROR_MISUSE) contended += strstr(ae_last_error(), "in use by another call") != NULL;
      else wrong += status != AE_OK;
      nanosleep(&pause, NULL);
    }
    pthread_join(thread, NULL);
    long_ok &= c.ok;
  }
#ifdef AE_TEST_UNDER_VALGRIND
  /* valgrind runs one thread at a time, so the two calls may never overlap there: it checks
   * that nothing goes wrong; the plain and sanitizer runs check that the overlap is refused. */
  int must_contend = 0;
#else
  int must_contend = 1;
#endif
  CHECK((contended > 0 || !must_contend) && wrong == 0 && long_ok, "a workspace in use: %d refusals, %d other failures, long call ok %d",
        contended, wrong, long_ok);

  /* closing a model while another thread computes with it: that call completes, later ones are refused */
  float *expected = malloc(big_rows * latent * sizeof(float));
  CHECK(ae_encode(model, big, big_rows, expected) == AE_OK, "misuse: reference for the close");
  ae_model *busy = NULL;
  CHECK(ae_model_open(model_path, &busy) == AE_OK, "misuse: a model to close while busy");
  struct contender c = {busy, NULL, big, big_rows, big_z, 0, 0, 0, 0, 0};
  pthread_t thread;
  pthread_create(&thread, NULL, plain_call, &c);
  while (!c.started) {}
  ae_model_close(busy);
  pthread_join(thread, NULL);
  CHECK(c.ok ? same(big_z, expected, big_rows * latent) : c.misuse, "a call racing the close: ok %d (right results), or refused %d",
        c.ok, c.misuse);
  expect_model_misuse("a model closed while busy", busy, NULL, "was closed", x, width);

  free(big); free(big_z); free(expected);
  ae_workspace_free(workspace);
  ae_model_close(model);
  ae_model_close(vae);
  free(z); free(z2);
}

/* ---- limits: huge sizes, exhausted memory and results that overflow a float --------------- */

static int all_nan(const float *values, size_t count) {
  for (size_t i = 0; i < count; i++) if (!isnan(values[i])) return 0;
  return 1;
}

static int all_finite(const float *values, size_t count) {
  for (size_t i = 0; i < count; i++) if (!isfinite(values[i])) return 0;
  return 1;
}

static void test_limits(const char *model_path, const char *vae_path, const char *cvae_path, const float *x, size_t rows,
                        size_t width) {
  ae_model *model = NULL, *vae = NULL;
  CHECK(ae_model_open(model_path, &model) == AE_OK && ae_model_open(vae_path, &vae) == AE_OK, "limits: open");
  if (!model || !vae) return;
  size_t latent = ae_model_latent_dim(model);
  ae_workspace *workspace = (ae_workspace *)(uintptr_t)0x1234;
  ae_status status = ae_workspace_create(model, SIZE_MAX, &workspace);
  CHECK(status == AE_ERROR_OVERFLOW && strstr(ae_last_error(), "too large") && workspace == (ae_workspace *)(uintptr_t)0x1234,
        "SIZE_MAX rows: %d", status);
  status = ae_workspace_create(model, SIZE_MAX / 8, &workspace);
  CHECK(status == AE_ERROR_OVERFLOW, "SIZE_MAX / 8 rows: %d", status);
  /* 2^40 bytes: more than physical memory here, refused before allocating */
  status = ae_workspace_create(model, ((size_t)1 << 40) / (width * sizeof(float)), &workspace);
  CHECK(status == AE_ERROR_OUT_OF_MEMORY && strstr(ae_last_error(), "physical memory"), "a 1 TiB workspace: %d", status);
  CHECK(workspace == (ae_workspace *)(uintptr_t)0x1234, "failed creates leave *workspace alone");

  /* interpolation needs two steps */
  float a[64] = {0}, b[64] = {0}, *path = malloc(4 * width * sizeof(float));
  b[0] = 1;
  CHECK(ae_interpolate(model, a, b, 0, 0, path) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "at least 2"), "0 steps");
  CHECK(ae_interpolate(model, a, b, 1, 0, path) == AE_ERROR_INVALID_ARGUMENT, "1 step");
  CHECK(ae_interpolate(model, a, b, SIZE_MAX, 0, path) == AE_ERROR_OVERFLOW, "SIZE_MAX steps");
  CHECK(ae_interpolate(model, a, b, 2, 0, path) == AE_OK && all_finite(path, 2 * width), "2 steps");
  ae_model *cvae = NULL;
  CHECK(ae_model_open(cvae_path, &cvae) == AE_OK && ae_interpolate(cvae, a, b, 2, 1, path) == AE_ERROR_UNSUPPORTED,
        "a cvae cannot interpolate (no class to decode with)");
  ae_model_close(cvae);

  /* finite inputs whose results overflow: never AE_OK with inf or NaN; NaN everywhere on failure */
  float *huge = malloc(rows * width * sizeof(float)), *out = malloc(rows * width * sizeof(float));
  float *scores = malloc(rows * sizeof(float)), *codes = malloc(rows * latent * sizeof(float));
  for (size_t i = 0; i < rows * width; i++) huge[i] = (i % 2 ? -3e38f : 3e38f);
  status = ae_score(model, huge, rows, scores);
  CHECK(status == AE_ERROR_NON_FINITE && strstr(ae_last_error(), "does not fit") && all_nan(scores, rows),
        "scores of 3e38: status %d", status);
  ae_workspace *ws = NULL;
  CHECK(ae_workspace_create(model, 7, &ws) == AE_OK, "limits: workspace");
  for (size_t i = 0; i < rows; i++) scores[i] = 0;
  status = ae_score_ws(model, ws, huge, rows, scores);
  CHECK(status == AE_ERROR_NON_FINITE && all_nan(scores, rows), "score_ws of 3e38: status %d", status);
  status = ae_encode(model, huge, rows, codes);
  CHECK(status == AE_OK ? all_finite(codes, rows * latent) : status == AE_ERROR_NON_FINITE && all_nan(codes, rows * latent),
        "codes of 3e38: status %d", status);
  status = ae_reconstruct_ws(model, ws, huge, rows, out);
  CHECK(status == AE_OK ? all_finite(out, rows * width) : status == AE_ERROR_NON_FINITE && all_nan(out, rows * width),
        "reconstructions of 3e38: status %d", status);
  for (size_t i = 0; i < rows * latent; i++) codes[i] = (i % 2 ? -3e38f : 3e38f);
  status = ae_decode(model, codes, rows, out);
  CHECK(status == AE_OK ? all_finite(out, rows * width) : status == AE_ERROR_NON_FINITE && all_nan(out, rows * width),
        "decoding codes of 3e38: status %d", status);
  a[0] = 3e38f; b[0] = -3e38f; a[1] = 3e38f; b[1] = 3e38f;
  status = ae_interpolate(model, a, b, 4, 1, path);
  CHECK(status == AE_OK ? all_finite(path, 4 * width) : status == AE_ERROR_NON_FINITE && all_nan(path, 4 * width),
        "a path between codes of 3e38: status %d", status);
  /* a VAE sampled at the largest finite temperature: the drawn codes overflow */
  size_t vae_width = ae_model_input_dim(vae), vae_latent = ae_model_latent_dim(vae);
  float *samples = malloc(5 * vae_width * sizeof(float)), *sample_codes = malloc(5 * vae_latent * sizeof(float));
  status = ae_sample(vae, 5, 7, FLT_MAX, samples, sample_codes);
  CHECK(status == AE_ERROR_NON_FINITE && strstr(ae_last_error(), "codes") && all_nan(samples, 5 * vae_width) &&
        all_nan(sample_codes, 5 * vae_latent), "sampling at FLT_MAX: status %d", status);
  status = ae_sample(vae, 5, 7, FLT_MAX, samples, NULL);
  CHECK(status == AE_ERROR_NON_FINITE && all_nan(samples, 5 * vae_width), "sampling at FLT_MAX without codes: status %d", status);
  float *mean = malloc(rows * vae_latent * sizeof(float)), *log_variance = malloc(rows * vae_latent * sizeof(float));
  status = ae_encode_distribution(vae, huge, rows, mean, log_variance);
  CHECK(status == AE_OK ? all_finite(mean, rows * vae_latent) && all_finite(log_variance, rows * vae_latent)
                        : status == AE_ERROR_NON_FINITE && all_nan(mean, rows * vae_latent) && all_nan(log_variance, rows * vae_latent),
        "the posterior of 3e38: status %d", status);
  /* and ordinary inputs still work after all that */
  CHECK(ae_score_ws(model, ws, x, rows, scores) == AE_OK && all_finite(scores, rows), "ordinary rows after overflows");

  free(path); free(huge); free(out); free(scores); free(codes); free(samples); free(sample_codes); free(mean); free(log_variance);
  ae_workspace_free(ws);
  ae_model_close(model);
  ae_model_close(vae);
}

#include "test_v2.h"
#include "test_images.h"
#include "test_precision.h"

/* ---- the tests -------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  if (argc != 12 && argc != 13) {
    fprintf(stderr, "usage: %s MODEL X.csv Z.csv Y.csv OBJECTIVE OTHER_MODEL SCRATCH_DIR VAE SAMPLES.csv CVAE CVAE_Y.csv [TWO_GROUPS]\n"
                    "  (CVAE was trained on X.csv with row r labelled r %% 3; CVAE_Y.csv is its reconstruction;\n"
                    "   TWO_GROUPS a cvae with a one-hot and a continuous condition group)\n", argv[0]);
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

  /* anomaly detection: the model was calibrated (--calibrate 0.9), the other one was not; an
   * mse model's excess score is its loss */
  CHECK(strcmp(ae_model_score_kind(model), "excess") == 0, "score kind %s", ae_model_score_kind(model));
  double threshold = NAN;
  CHECK(ae_model_threshold(model, &threshold) == AE_OK && isfinite(threshold), "threshold");
  int *classes = malloc(rows * sizeof(int));
  size_t flagged = 0;
  CHECK(ae_classify(model, x, rows, classes) == AE_OK, "classify: %s", ae_last_error());
  for (size_t r = 0; r < rows; r++) {
    CHECK(classes[r] == (scores[r] > threshold), "row %zu: class %d, score %g, threshold %g", r, classes[r], scores[r], threshold);
    flagged += classes[r];
  }
  CHECK(flagged > 0 && flagged < rows, "%zu of %zu rows flagged", flagged, rows);
  CHECK(ae_classify(model, NULL, rows, classes) == AE_ERROR_INVALID_ARGUMENT, "classify x NULL");
  CHECK(ae_classify(model, x, rows, NULL) == AE_ERROR_INVALID_ARGUMENT, "classify labels NULL");
  CHECK(ae_classify(model, x, 0, classes) == AE_ERROR_INVALID_ARGUMENT, "classify n 0");
  CHECK(ae_model_threshold(model, NULL) == AE_ERROR_INVALID_ARGUMENT, "threshold NULL");
  CHECK(ae_classify(NULL, x, rows, classes) == AE_ERROR_INVALID_ARGUMENT, "classify model NULL");
  free(classes);

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
  double no_threshold = -1;
  int one_class = -1;
  CHECK(ae_model_threshold(other, &no_threshold) == AE_ERROR_UNSUPPORTED && no_threshold == -1, "an uncalibrated model has no threshold");
  CHECK(ae_classify(other, x, 1, &one_class) == AE_ERROR_UNSUPPORTED && one_class == -1 && strstr(ae_last_error(), "--calibrate"),
        "an uncalibrated model cannot classify: %s", ae_last_error());
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
    /* the cvae scores by "combined" (ae train's default): code terms, then the reconstruction's */
    CHECK(scored == AE_OK && isfinite(scores[0]) && strcmp(ae_model_score_kind(cvae), "combined") == 0, "score_labeled");
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

  test_statuses();
  test_misuse(model_path, argv[8], x, rows, width);
  test_limits(model_path, argv[8], argv[10], x, rows, width);
  test_last_error(model_path, x);
  test_conditions(model_path, argv[10], x, rows, width);
  test_options(model_path, argv[8], argv[10], x, rows, width);
  test_threads(model_path, argv[8], argv[10], x, rows, width);
  for (int i = 1; i <= argc - 1; i++) if (i == 1 || i == 6 || i == 8 || i == 10 || i == 12) check_can_sample(argv[i]);
  if (argc == 13) test_condition_groups(argv[12], x, rows);
  else printf("skip: no model with two condition groups (fixtures.sh makes one with h5py from .venv: bash scripts/python-env.sh)\n");
  char image_path[4096];
  snprintf(image_path, sizeof image_path, "%s/image.h5", scratch);
  test_images(image_path, model_path);
  test_precision(model_path, x, rows, width);

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
