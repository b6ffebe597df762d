/*
 * The C test's checks of the 0.2 additions, included by test_autoencoder.c (one program, so
 * the valgrind and sanitizer runs of that file cover these too): condition rows and groups,
 * the options structs and the _v2 calls, workspace threads, and ae_last_error emptied by
 * success. Uses test_autoencoder.c's helpers (same, max_relative_difference, all_nan, the
 * allocation counter).
 */
#ifndef AE_TEST_V2_H
#define AE_TEST_V2_H

#include <unistd.h>

/* Run `statement` and set `counter` to the allocations it made (0 where nothing is counted). */
#ifndef AE_TEST_UNDER_VALGRIND
#define COUNTED(statement, counter) do { COUNT_START(); statement; counter = COUNT_STOP(); } while (0)
/* Equal to float rounding: results of another thread count or batch size. */
#define ROUNDING 1e-5
#else
#define COUNTED(statement, counter) do { statement; counter = 0; } while (0)
#define ROUNDING 1e-4
#endif

/* The largest difference between a and b relative to the values' magnitude: the larger of
 * the two values and the mean magnitude of a's values (so that a value near 0 that is the sum
 * of larger terms is held to the rounding of those terms, not to its own size). */
static double scaled_difference(const float *a, const float *b, size_t count) {
  double mean = 0, worst = 0;
  for (size_t i = 0; i < count; i++) mean += fabs(a[i]) / (double)count;
  for (size_t i = 0; i < count; i++) {
    double scale = fmax(fmax(mean, 1e-30), fmax(fabs(a[i]), fabs(b[i])));
    worst = fmax(worst, fabs((double)a[i] - b[i]) / scale);
  }
  return worst;
}

static int close_to(const float *a, const float *b, size_t count) { return scaled_difference(a, b, count) < ROUNDING; }

static int untouched(const float *values, size_t count, float sentinel) {
  for (size_t i = 0; i < count; i++) if (values[i] != sentinel) return 0;
  return 1;
}

static void fill(float *values, size_t count, float value) {
  for (size_t i = 0; i < count; i++) values[i] = value;
}

/* n one-hot rows of `classes` values for labels. */
static float *one_hot(const int *labels, size_t n, size_t classes) {
  float *rows = calloc(n * classes, sizeof(float));
  for (size_t r = 0; r < n; r++) rows[r * classes + (size_t)labels[r]] = 1;
  return rows;
}

/* `rows` rows of x repeated until `count` rows. */
static float *tile(const float *x, size_t rows, size_t width, size_t count) {
  float *tiled = malloc(count * width * sizeof(float));
  for (size_t r = 0; r < count; r++) memcpy(tiled + r * width, x + (r % rows) * width, width * sizeof(float));
  return tiled;
}

/* ---- ae_last_error: set by a failure, emptied by the next success ------------------------- */

static void test_last_error(const char *model_path, const float *x) {
  ae_model *model = NULL;
  const char *text = ae_last_error();
  CHECK(ae_model_open(model_path, &model) == AE_OK && strcmp(ae_last_error(), "") == 0, "last error: open");
  if (!model) return;
  float code[64];
  size_t shape[3];
  CHECK(ae_encode(model, x, 0, code) == AE_ERROR_INVALID_ARGUMENT && *ae_last_error(), "a failure sets the message");
  CHECK(ae_last_error() == text, "ae_last_error's pointer stays the same");
  CHECK(*ae_last_error() != 0, "reading the message leaves it");
  CHECK(ae_encode(model, x, 1, code) == AE_OK && strcmp(ae_last_error(), "") == 0, "a successful call empties it: '%s'", ae_last_error());
  CHECK(ae_encode(NULL, x, 1, code) == AE_ERROR_INVALID_ARGUMENT && ae_model_input_dim(model) > 0 && strcmp(ae_last_error(), "") == 0,
        "introspection of an open model empties it");
  CHECK(ae_model_input_shape(model, NULL) == AE_ERROR_INVALID_ARGUMENT && *ae_last_error(), "fails again");
  ae_status status = ae_model_input_shape(model, shape);
  CHECK(status == AE_ERROR_UNSUPPORTED ? *ae_last_error() != 0 : strcmp(ae_last_error(), "") == 0,
        "a status other than AE_OK keeps a message");
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_set_threads(NULL, 2) == AE_ERROR_INVALID_ARGUMENT && *ae_last_error(), "fails once more");
  CHECK(ae_workspace_create(model, 2, &workspace) == AE_OK && strcmp(ae_last_error(), "") == 0, "workspace_create empties it");
  CHECK(ae_workspace_set_threads(workspace, 0) == AE_ERROR_INVALID_ARGUMENT && *ae_last_error(), "threads 0 fails");
  ae_workspace_free(workspace);
  CHECK(strcmp(ae_last_error(), "") == 0, "a free of a live workspace empties it");
  ae_model_close(model);
  ae_model_close(model);
  CHECK(strstr(ae_last_error(), "was closed") != NULL, "a second close says so: %s", ae_last_error());
  ae_model_close(NULL);
  CHECK(strstr(ae_last_error(), "was closed") != NULL, "closing NULL does nothing at all");
  CHECK(strcmp(ae_version(), AE_VERSION) == 0 && strstr(ae_last_error(), "was closed") != NULL, "ae_version leaves the message");
}

/* ---- ae_model_can_sample is 1 exactly when ae_sample works ---------------------------------- */

static void check_can_sample(const char *path) {
  ae_model *model = NULL;
  CHECK(ae_model_open(path, &model) == AE_OK, "can_sample: open %s", path);
  if (!model) return;
  size_t width = ae_model_input_dim(model);
  float *out = malloc(3 * width * sizeof(float));
  ae_status status = ae_sample(model, 3, 1, 1.0f, out, NULL);
  CHECK(ae_model_can_sample(model) == (status == AE_OK) && (status == AE_OK || status == AE_ERROR_UNSUPPORTED),
        "%s (%s): can_sample %d, ae_sample %d", path, ae_model_kind(model), ae_model_can_sample(model), status);
  free(out);
  ae_model_close(model);
}

/* ---- condition groups and the _conditioned calls ------------------------------------------- */

static void test_conditions(const char *model_path, const char *cvae_path, const float *x, size_t rows, size_t width) {
  ae_model *model = NULL, *cvae = NULL;
  CHECK(ae_model_open(model_path, &model) == AE_OK && ae_model_open(cvae_path, &cvae) == AE_OK, "conditions: open");
  if (!model || !cvae) { ae_model_close(model); return; }
  const char *name = "untouched";
  int kind = -7;
  size_t group_width = 99;

  /* groups: a classic cvae has one one-hot group "class" of its classes; a dense model none */
  size_t classes = ae_model_class_count(cvae), k = ae_model_latent_dim(cvae);
  CHECK(ae_model_condition_width(cvae) == classes && classes == 3 && ae_model_condition_group_count(cvae) == 1,
        "a cvae's condition: width %zu, groups %zu", ae_model_condition_width(cvae), ae_model_condition_group_count(cvae));
  CHECK(ae_model_condition_group(cvae, 0, &name, &kind, &group_width) == AE_OK && strcmp(name, "class") == 0 &&
        kind == AE_CONDITION_ONE_HOT && group_width == 3, "group 0: %s, kind %d, width %zu", name, kind, group_width);
  CHECK(ae_model_condition_group(cvae, 0, NULL, NULL, NULL) == AE_OK, "NULL out-pointers are skipped");
  name = "untouched";
  CHECK(ae_model_condition_group(cvae, 1, &name, &kind, &group_width) == AE_ERROR_INVALID_ARGUMENT && strcmp(name, "untouched") == 0 &&
        strstr(ae_last_error(), "outside"), "group 1 of 1: %s", ae_last_error());
  CHECK(ae_model_condition_group(cvae, SIZE_MAX, &name, NULL, NULL) == AE_ERROR_INVALID_ARGUMENT, "group SIZE_MAX");
  CHECK(ae_model_condition_width(model) == 0 && ae_model_condition_group_count(model) == 0 &&
        ae_model_condition_group(model, 0, &name, &kind, &group_width) == AE_ERROR_INVALID_ARGUMENT &&
        strstr(ae_last_error(), "no conditions"), "a dense model has no condition groups");
  CHECK(ae_model_condition_group(NULL, 0, &name, &kind, &group_width) == AE_ERROR_INVALID_ARGUMENT &&
        ae_model_condition_width(NULL) == 0, "NULL model");

  /* one-hot rows give the labeled results bit for bit, with and without a workspace */
  int *labels = malloc(rows * sizeof(int));
  for (size_t r = 0; r < rows; r++) labels[r] = (int)(r % 3);
  float *conditions = one_hot(labels, rows, classes);
  float *a = malloc(rows * width * sizeof(float)), *b = malloc(rows * width * sizeof(float));
  float *za = malloc(rows * k * sizeof(float)), *zb = malloc(rows * k * sizeof(float));
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(cvae, 8, &workspace) == AE_OK, "conditions: workspace");
  ae_workspace *spaces[2] = {NULL, workspace};
  for (int w = 0; w < 2; w++) {
    ae_workspace *ws = spaces[w];
    CHECK(ae_encode_labeled(cvae, ws, x, labels, rows, za) == AE_OK && ae_encode_conditioned(cvae, ws, x, conditions, rows, zb) == AE_OK &&
          same(za, zb, rows * k), "encode_conditioned == encode_labeled (workspace %d)", w);
    CHECK(ae_decode_labeled(cvae, ws, za, labels, rows, a) == AE_OK && ae_decode_conditioned(cvae, ws, za, conditions, rows, b) == AE_OK &&
          same(a, b, rows * width), "decode_conditioned == decode_labeled (workspace %d)", w);
    CHECK(ae_reconstruct_labeled(cvae, ws, x, labels, rows, a) == AE_OK &&
          ae_reconstruct_conditioned(cvae, ws, x, conditions, rows, b) == AE_OK && same(a, b, rows * width),
          "reconstruct_conditioned == reconstruct_labeled (workspace %d)", w);
    CHECK(ae_score_labeled(cvae, ws, x, labels, rows, a) == AE_OK && ae_score_conditioned(cvae, ws, x, conditions, rows, b) == AE_OK &&
          same(a, b, rows), "score_conditioned == score_labeled (workspace %d)", w);
  }
  long counted = -1;
  ae_status status = AE_OK;
  COUNTED(status = ae_reconstruct_conditioned(cvae, workspace, x, conditions, rows, b), counted);
  CHECK(status == AE_OK && counted == 0, "reconstruct_conditioned with a workspace made %ld allocations", counted);

  /* a soft mixture of classes is a condition too */
  for (size_t j = 0; j < classes; j++) conditions[j] = 1.0f / 3;
  CHECK(ae_encode_conditioned(cvae, NULL, x, conditions, 1, za) == AE_OK, "a mixture of classes");
  for (size_t j = 0; j < classes; j++) conditions[j] = j == (size_t)labels[0];

  /* refusals: the outputs are left alone */
  fill(b, rows * width, -7.0f);
  status = ae_reconstruct_conditioned(cvae, NULL, x, NULL, rows, b);
  CHECK(status == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "conditions is NULL"), "NULL conditions on a cvae: %d", status);
  conditions[classes + 1] = NAN;
  status = ae_reconstruct_conditioned(cvae, workspace, x, conditions, rows, b);
  CHECK(status == AE_ERROR_NON_FINITE && strstr(ae_last_error(), "row 1"), "NaN in a condition: %d %s", status, ae_last_error());
  conditions[classes + 1] = INFINITY;
  CHECK(ae_score_conditioned(cvae, NULL, x, conditions, rows, b) == AE_ERROR_NON_FINITE, "an infinite condition");
  conditions[classes + 1] = 2.0f;
  status = ae_encode_conditioned(cvae, NULL, x, conditions, rows, b);
  CHECK(status == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "[0, 1]"), "one-hot value 2: %d %s", status, ae_last_error());
  conditions[classes + 1] = -0.5f;
  CHECK(ae_decode_conditioned(cvae, NULL, za, conditions, rows, b) == AE_ERROR_INVALID_ARGUMENT, "one-hot value -0.5");
  conditions[classes + 1] = (float)(labels[1] == 1);
  CHECK(ae_encode_conditioned(cvae, NULL, NULL, conditions, rows, b) == AE_ERROR_INVALID_ARGUMENT, "NULL x");
  CHECK(ae_encode_conditioned(cvae, NULL, x, conditions, rows, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL output");
  CHECK(ae_encode_conditioned(cvae, NULL, x, conditions, 0, b) == AE_ERROR_INVALID_ARGUMENT, "n == 0");
  CHECK(ae_encode_conditioned(cvae, NULL, x, conditions, SIZE_MAX / 2, b) == AE_ERROR_OVERFLOW, "huge n");
  CHECK(ae_encode_conditioned(model, NULL, x, conditions, rows, b) == AE_ERROR_UNSUPPORTED && strstr(ae_last_error(), "takes no conditions"),
        "conditions on a dense model: %s", ae_last_error());
  CHECK(ae_encode_conditioned(cvae, (ae_workspace *)model, x, conditions, rows, b) == AE_ERROR_MISUSE, "a model as workspace");
  CHECK(untouched(b, rows * width, -7.0f), "refused calls leave the output alone");
  ae_workspace *dense_workspace = NULL;
  CHECK(ae_workspace_create(model, 4, &dense_workspace) == AE_OK &&
        ae_encode_conditioned(cvae, dense_workspace, x, conditions, rows, za) == AE_ERROR_WORKSPACE, "another model's workspace");

  /* NULL conditions on a model without conditions: the plain call */
  size_t latent = ae_model_latent_dim(model);
  float *plain = malloc(rows * latent * sizeof(float)), *conditioned = malloc(rows * latent * sizeof(float));
  CHECK(ae_encode_ws(model, dense_workspace, x, rows, plain) == AE_OK &&
        ae_encode_conditioned(model, dense_workspace, x, NULL, rows, conditioned) == AE_OK && same(plain, conditioned, rows * latent),
        "encode_conditioned(NULL) == encode on a dense model");
  CHECK(ae_reconstruct_conditioned(model, NULL, x, NULL, rows, a) == AE_OK, "reconstruct_conditioned(NULL) on a dense model");

  ae_workspace_free(dense_workspace);
  ae_workspace_free(workspace);
  free(labels); free(conditions); free(a); free(b); free(za); free(zb); free(plain); free(conditioned);
  ae_model_close(model);
  ae_model_close(cvae);
}

/* ---- options structs and the _v2 calls ------------------------------------------------------ */

static void test_options(const char *model_path, const char *vae_path, const char *cvae_path, const float *x, size_t rows, size_t width) {
  ae_model *model = NULL, *vae = NULL, *cvae = NULL;
  CHECK(ae_model_open(model_path, &model) == AE_OK && ae_model_open(vae_path, &vae) == AE_OK && ae_model_open(cvae_path, &cvae) == AE_OK,
        "options: open");
  if (!model || !vae || !cvae) { ae_model_close(model); ae_model_close(vae); ae_model_close(cvae); return; }
  enum { N = 9 };
  size_t k = ae_model_latent_dim(vae), ck = ae_model_latent_dim(cvae), classes = ae_model_class_count(cvae);
  float *a = malloc(N * width * sizeof(float)), *b = malloc(N * width * sizeof(float));
  float *za = malloc(N * (k + ck) * sizeof(float)), *zb = malloc(N * (k + ck) * sizeof(float));
  ae_status status;

  /* the initializers */
  ae_sample_options sample = ae_sample_options_default();
  CHECK(sample.size == sizeof(ae_sample_options) && sample.seed == 0 && sample.temperature == 1.0f && sample.conditions == NULL &&
        sample.label == -1, "ae_sample_options_default");
  ae_interpolate_options path = ae_interpolate_options_default();
  CHECK(path.size == sizeof(ae_interpolate_options) && path.steps == 0 && path.condition == NULL && path.spherical == 0 && path.label == -1,
        "ae_interpolate_options_default");
  ae_encode_options encode = ae_encode_options_default();
  CHECK(encode.size == sizeof(ae_encode_options) && encode.conditions == NULL && encode.labels == NULL, "ae_encode_options_default");

  /* ae_sample_v2 == ae_sample, with and without a workspace, and the options' size rules */
  sample.seed = 7;
  CHECK(ae_sample(vae, N, 7, 1.0f, a, za) == AE_OK && ae_sample_v2(vae, NULL, N, &sample, b, zb) == AE_OK && same(a, b, N * width) &&
        same(za, zb, N * k), "sample_v2 == sample");
  CHECK(ae_sample(vae, N, 0, 1.0f, a, NULL) == AE_OK && ae_sample_v2(vae, NULL, N, NULL, b, NULL) == AE_OK && same(a, b, N * width),
        "sample_v2 with NULL options: the defaults");
  ae_workspace *vae_workspace = NULL;
  CHECK(ae_workspace_create(vae, 4, &vae_workspace) == AE_OK, "options: vae workspace");
  long counted = -1;
  COUNTED(status = ae_sample_v2(vae, vae_workspace, N, &sample, b, zb), counted);
  CHECK(status == AE_OK && counted == 0, "sample_v2 with a workspace made %ld allocations", counted);
  CHECK(ae_sample(vae, N, 7, 1.0f, a, za) == AE_OK && close_to(a, b, N * width) && same(za, zb, N * k),
        "sample_v2 with a workspace ~ sample; the same codes");
  sample.size = 0;
  fill(b, N * width, -7.0f);
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "options->size is 0") &&
        strstr(ae_last_error(), "ae_sample_options_default"), "options size 0: %s", ae_last_error());
  sample.size = offsetof(ae_sample_options, label);
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT, "a size short of the first version");
  sample.size = sizeof(ae_sample_options) + 8;
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_VERSION && strstr(ae_last_error(), "newer autoencoder.h"),
        "a size from a newer header: %s", ae_last_error());
  sample.size = (size_t)-1;
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_VERSION, "size SIZE_MAX");
  CHECK(untouched(b, N * width, -7.0f), "refused options leave the output alone");
  sample.size = offsetof(ae_sample_options, label) + sizeof(int32_t); /* the first version's end, without tail padding */
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_OK && ae_sample(vae, N, 7, 1.0f, a, NULL) == AE_OK && same(a, b, N * width),
        "the first version's size");
  sample = ae_sample_options_default();
  sample.temperature = NAN;
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT, "NaN temperature");
  sample.temperature = -1;
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT, "negative temperature");
  sample = ae_sample_options_default();
  sample.label = 0;
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_UNSUPPORTED, "a label for a vae");
  sample.label = -1;
  float condition_rows[N * 8] = {0};
  sample.conditions = condition_rows;
  CHECK(ae_sample_v2(vae, NULL, N, &sample, b, NULL) == AE_ERROR_UNSUPPORTED, "conditions for a vae");
  sample.conditions = NULL;
  CHECK(ae_sample_v2(model, NULL, N, &sample, a, NULL) == AE_ERROR_UNSUPPORTED, "a dense model cannot sample");
  CHECK(ae_sample_v2(vae, NULL, 0, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT, "n == 0");
  CHECK(ae_sample_v2(vae, NULL, N, &sample, NULL, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL x_out");
  CHECK(ae_sample_v2(vae, NULL, SIZE_MAX / 4, &sample, b, NULL) == AE_ERROR_OVERFLOW, "SIZE_MAX / 4 samples");
  CHECK(ae_sample_v2(vae, (ae_workspace *)vae, N, &sample, b, NULL) == AE_ERROR_MISUSE, "a model as workspace");

  /* a cvae: ae_model_can_sample is 1 and ae_sample draws its classes; a label or one-hot rows
   * give ae_sample_class's rows bit for bit */
  CHECK(ae_model_can_sample(cvae) == 1, "a cvae with one-hot conditions can sample");
  size_t cwidth = ae_model_input_dim(cvae);
  CHECK(ae_sample(cvae, N, 11, 1.0f, a, za) == AE_OK && all_finite(a, N * cwidth), "ae_sample on a cvae: %s", ae_last_error());
  sample = ae_sample_options_default();
  sample.seed = 11;
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, zb) == AE_OK && same(a, b, N * cwidth) && same(za, zb, N * ck),
        "sample_v2 without conditions == ae_sample on a cvae");
  CHECK(ae_sample_class(cvae, N, 1, 11, 0.5f, a, za) == AE_OK, "sample_class");
  sample.label = 1;
  sample.temperature = 0.5f;
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, zb) == AE_OK && same(a, b, N * cwidth) && same(za, zb, N * ck),
        "sample_v2 with a label == sample_class");
  sample.label = -1;
  for (size_t r = 0; r < N; r++) for (size_t j = 0; j < classes; j++) condition_rows[r * classes + j] = j == 1;
  sample.conditions = condition_rows;
  fill(b, N * cwidth, 0);
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, zb) == AE_OK && same(a, b, N * cwidth), "sample_v2 with one-hot rows == sample_class");
  sample.label = 1;
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "not both"),
        "conditions and a label");
  sample.conditions = NULL;
  sample.label = 3;
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "class 3"),
        "label 3 of 3 classes: %s", ae_last_error());
  sample.label = -2;
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, NULL) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "-1 for none"),
        "label -2: %s", ae_last_error());
  sample.label = -1;
  condition_rows[4] = NAN;
  sample.conditions = condition_rows;
  CHECK(ae_sample_v2(cvae, NULL, N, &sample, b, NULL) == AE_ERROR_NON_FINITE, "NaN in sampling conditions");
  condition_rows[4] = 1;

  /* ae_encode_distribution_v2 */
  float *mean = malloc(rows * (k + ck) * sizeof(float)), *log_variance = malloc(rows * (k + ck) * sizeof(float));
  float *mean2 = malloc(rows * (k + ck) * sizeof(float)), *log_variance2 = malloc(rows * (k + ck) * sizeof(float));
  CHECK(ae_encode_distribution(vae, x, rows, mean, log_variance) == AE_OK &&
        ae_encode_distribution_v2(vae, NULL, x, rows, NULL, mean2, log_variance2) == AE_OK && same(mean, mean2, rows * k) &&
        same(log_variance, log_variance2, rows * k), "encode_distribution_v2 == encode_distribution");
  ae_workspace *big_vae_workspace = NULL;
  CHECK(ae_workspace_create(vae, rows, &big_vae_workspace) == AE_OK, "a workspace of all rows");
  COUNTED(status = ae_encode_distribution_v2(vae, big_vae_workspace, x, rows, &encode, mean2, log_variance2), counted);
  CHECK(status == AE_OK && counted == 0 && same(mean, mean2, rows * k) && same(log_variance, log_variance2, rows * k),
        "encode_distribution_v2 with a workspace: the same, %ld allocations", counted);
  int *labels = malloc(rows * sizeof(int));
  int32_t *labels32 = malloc(rows * sizeof(int32_t));
  for (size_t r = 0; r < rows; r++) labels32[r] = labels[r] = (int)(r % 3);
  float *conditions = one_hot(labels, rows, classes);
  encode.labels = labels32;
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean, log_variance) == AE_OK, "cvae posterior with labels");
  encode.labels = NULL;
  encode.conditions = conditions;
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean2, log_variance2) == AE_OK && same(mean, mean2, rows * ck) &&
        same(log_variance, log_variance2, rows * ck), "cvae posterior: one-hot rows == labels");
  CHECK(ae_encode_labeled(cvae, NULL, x, labels, rows, mean2) == AE_OK && same(mean, mean2, rows * ck), "the means are the codes");
  encode.labels = labels32;
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean2, log_variance2) == AE_ERROR_INVALID_ARGUMENT, "conditions and labels");
  encode = ae_encode_options_default();
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean2, log_variance2) == AE_ERROR_UNSUPPORTED, "a cvae without conditions");
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, NULL, mean2, log_variance2) == AE_ERROR_UNSUPPORTED, "a cvae, NULL options");
  labels32[2] = 5;
  encode.labels = labels32;
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean2, log_variance2) == AE_ERROR_INVALID_ARGUMENT &&
        strstr(ae_last_error(), "label 5 of row 2"), "a label out of range: %s", ae_last_error());
  labels32[2] = 2;
  CHECK(ae_encode_distribution_v2(model, NULL, x, rows, NULL, mean2, log_variance2) == AE_ERROR_UNSUPPORTED, "a dense model");
  encode.size = 0;
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean2, log_variance2) == AE_ERROR_INVALID_ARGUMENT, "encode options size 0");
  encode.size = sizeof encode + 1;
  CHECK(ae_encode_distribution_v2(cvae, NULL, x, rows, &encode, mean2, log_variance2) == AE_ERROR_VERSION, "encode options too large");
  encode = ae_encode_options_default();
  CHECK(ae_encode_distribution_v2(vae, NULL, x, rows, &encode, NULL, log_variance2) == AE_ERROR_INVALID_ARGUMENT, "NULL mean");
  CHECK(ae_encode_distribution_v2(vae, NULL, x, 0, &encode, mean2, log_variance2) == AE_ERROR_INVALID_ARGUMENT, "0 rows");

  /* ae_interpolate_v2 */
  float *codes = malloc(2 * (k + ck) * sizeof(float));
  CHECK(ae_encode(vae, x, 2, codes) == AE_OK, "two codes");
  path = ae_interpolate_options_default();
  path.steps = 5;
  path.spherical = 1;
  CHECK(ae_interpolate(vae, codes, codes + k, 5, 1, a) == AE_OK && ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_OK &&
        same(a, b, 5 * width), "interpolate_v2 == interpolate");
  COUNTED(status = ae_interpolate_v2(vae, vae_workspace, codes, codes + k, &path, b), counted);
  CHECK(status == AE_OK && counted == 0 && close_to(a, b, 5 * width), "interpolate_v2 with a workspace: %ld allocations", counted);
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, NULL, b) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "options is NULL"),
        "NULL interpolate options");
  path.steps = 1;
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_ERROR_INVALID_ARGUMENT, "1 step");
  path.steps = 0;
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_ERROR_INVALID_ARGUMENT, "steps left at the default 0");
  path.steps = SIZE_MAX;
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_ERROR_OVERFLOW, "SIZE_MAX steps");
  path.steps = 5;
  path.size = 3;
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_ERROR_INVALID_ARGUMENT, "interpolate options size 3");
  path.size = sizeof path * 2;
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_ERROR_VERSION, "interpolate options too large");
  path.size = sizeof path;
  path.label = 0;
  CHECK(ae_interpolate_v2(vae, NULL, codes, codes + k, &path, b) == AE_ERROR_UNSUPPORTED, "a label on a vae path");
  path.label = -1;
  float bad_code[64];
  memcpy(bad_code, codes, k * sizeof(float));
  bad_code[0] = NAN;
  CHECK(ae_interpolate_v2(vae, NULL, bad_code, codes + k, &path, b) == AE_ERROR_NON_FINITE, "a NaN code");
  CHECK(ae_interpolate_v2(vae, NULL, NULL, codes + k, &path, b) == AE_ERROR_INVALID_ARGUMENT, "NULL z_a");

  /* a cvae's path: a label, or its one-hot row, for every step */
  float *ccodes = malloc(2 * ck * sizeof(float));
  CHECK(ae_encode_labeled(cvae, NULL, x, labels, 2, ccodes) == AE_OK, "two cvae codes");
  path = ae_interpolate_options_default();
  path.steps = 4;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, a) == AE_ERROR_UNSUPPORTED, "a cvae path needs a condition");
  path.label = 2;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, a) == AE_OK, "a cvae path with a label");
  path.label = -1;
  float condition[8] = {0, 0, 1};
  path.condition = condition;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, b) == AE_OK && same(a, b, 4 * cwidth), "a one-hot row == the label");
  int twos[2] = {2, 2};
  float *ends = malloc(2 * cwidth * sizeof(float));
  float pair[64];
  memcpy(pair, ccodes, ck * sizeof(float));
  memcpy(pair + ck, ccodes + ck, ck * sizeof(float));
  CHECK(ae_decode_labeled(cvae, NULL, pair, twos, 2, ends) == AE_OK && close_to(a, ends, cwidth) &&
        close_to(a + 3 * cwidth, ends + cwidth, cwidth), "the path's ends decode the two codes with that class");
  path.label = 2;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, b) == AE_ERROR_INVALID_ARGUMENT, "a condition and a label");
  path.condition = NULL;
  path.label = 3;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, b) == AE_ERROR_INVALID_ARGUMENT, "label out of range");
  path.label = -5;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, b) == AE_ERROR_INVALID_ARGUMENT, "label -5");
  path.label = -1;
  condition[0] = NAN;
  path.condition = condition;
  CHECK(ae_interpolate_v2(cvae, NULL, ccodes, ccodes + ck, &path, b) == AE_ERROR_NON_FINITE, "a NaN condition");

  ae_workspace_free(vae_workspace);
  ae_workspace_free(big_vae_workspace);
  free(a); free(b); free(za); free(zb); free(mean); free(log_variance); free(mean2); free(log_variance2);
  free(labels); free(labels32); free(conditions); free(codes); free(ccodes); free(ends);
  ae_model_close(model);
  ae_model_close(vae);
  ae_model_close(cvae);
}

/* ---- workspace threads ----------------------------------------------------------------------- */

/* One model's compute calls through two workspaces of `max_rows`: 1 thread and `threads`. */
static void compare_threads(const char *what, const ae_model *model, size_t max_rows, int threads, const float *x, size_t rows) {
  size_t width = ae_model_input_dim(model), k = ae_model_latent_dim(model);
  ae_workspace *one = NULL, *many = NULL;
  CHECK(ae_workspace_create(model, max_rows, &one) == AE_OK && ae_workspace_create(model, max_rows, &many) == AE_OK &&
        ae_workspace_set_threads(many, threads) == AE_OK && ae_workspace_threads(many) == threads && ae_workspace_threads(one) == 1,
        "%s: workspaces", what);
  float *z1 = malloc(rows * k * sizeof(float)), *z2 = malloc(rows * k * sizeof(float)), *z3 = malloc(rows * k * sizeof(float));
  float *y1 = malloc(rows * width * sizeof(float)), *y2 = malloc(rows * width * sizeof(float)), *y3 = malloc(rows * width * sizeof(float));
  float *s1 = malloc(rows * sizeof(float)), *s2 = malloc(rows * sizeof(float)), *s3 = malloc(rows * sizeof(float));
  CHECK(ae_encode_ws(model, one, x, rows, z1) == AE_OK && ae_encode_ws(model, many, x, rows, z2) == AE_OK && close_to(z1, z2, rows * k),
        "%s: encode, %d threads ~ 1: %g", what, threads, scaled_difference(z1, z2, rows * k));
  CHECK(ae_encode_ws(model, many, x, rows, z3) == AE_OK && memcmp(z2, z3, rows * k * sizeof(float)) == 0, "%s: encode again: the same bits", what);
  CHECK(ae_decode_ws(model, one, z1, rows, y1) == AE_OK && ae_decode_ws(model, many, z1, rows, y2) == AE_OK && close_to(y1, y2, rows * width),
        "%s: decode, %d threads ~ 1", what, threads);
  CHECK(ae_reconstruct_ws(model, one, x, rows, y1) == AE_OK && ae_reconstruct_ws(model, many, x, rows, y2) == AE_OK &&
        close_to(y1, y2, rows * width), "%s: reconstruct, %d threads ~ 1", what, threads);
  CHECK(ae_reconstruct_ws(model, many, x, rows, y3) == AE_OK && memcmp(y2, y3, rows * width * sizeof(float)) == 0,
        "%s: reconstruct again: the same bits", what);
  CHECK(ae_score_ws(model, one, x, rows, s1) == AE_OK && ae_score_ws(model, many, x, rows, s2) == AE_OK && close_to(s1, s2, rows),
        "%s: score, %d threads ~ 1", what, threads);
  long counted = -1;
  ae_status status = AE_OK;
  COUNTED(status = ae_score_ws(model, many, x, rows, s3); status |= ae_encode_ws(model, many, x, rows, z3), counted);
  CHECK(status == AE_OK && counted == 0 && memcmp(s2, s3, rows * sizeof(float)) == 0,
        "%s: calls on %d threads made %ld allocations", what, threads, counted);
  /* back to one thread: the one-thread results */
  CHECK(ae_workspace_set_threads(many, 1) == AE_OK && ae_workspace_threads(many) == 1 && ae_score_ws(model, many, x, rows, s3) == AE_OK &&
        memcmp(s1, s3, rows * sizeof(float)) == 0, "%s: back to 1 thread", what);
  ae_workspace_free(one);
  ae_workspace_free(many);
  free(z1); free(z2); free(z3); free(y1); free(y2); free(y3); free(s1); free(s2); free(s3);
}

static void test_threads(const char *model_path, const char *vae_path, const char *cvae_path, const float *x, size_t rows, size_t width) {
  ae_model *model = NULL, *vae = NULL, *cvae = NULL;
  CHECK(ae_model_open(model_path, &model) == AE_OK && ae_model_open(vae_path, &vae) == AE_OK && ae_model_open(cvae_path, &cvae) == AE_OK,
        "threads: open");
  if (!model || !vae || !cvae) { ae_model_close(model); ae_model_close(vae); ae_model_close(cvae); return; }

  /* the setting */
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(model, 16, &workspace) == AE_OK && ae_workspace_threads(workspace) == 1, "threads: 1 by default");
  CHECK(ae_workspace_set_threads(workspace, 0) == AE_ERROR_INVALID_ARGUMENT && strstr(ae_last_error(), "threads is 0"), "0 threads");
  CHECK(ae_workspace_set_threads(workspace, -3) == AE_ERROR_INVALID_ARGUMENT, "-3 threads");
  CHECK(ae_workspace_set_threads(workspace, 257) == AE_ERROR_INVALID_ARGUMENT, "257 threads");
  CHECK(ae_workspace_threads(workspace) == 1, "refused settings change nothing");
  CHECK(ae_workspace_set_threads(NULL, 2) == AE_ERROR_INVALID_ARGUMENT && ae_workspace_threads(NULL) == 0, "NULL workspace");
  CHECK(ae_workspace_set_threads((ae_workspace *)model, 2) == AE_ERROR_MISUSE && ae_workspace_threads((ae_workspace *)model) == 0 &&
        strstr(ae_last_error(), "is a model"), "a model as workspace");
  CHECK(ae_workspace_set_threads(workspace, 3) == AE_OK && ae_workspace_set_threads(workspace, 3) == AE_OK &&
        ae_workspace_set_threads(workspace, 2) == AE_OK && ae_workspace_threads(workspace) == 2, "3, 3 again, then 2 threads");
  ae_workspace_free(workspace); /* with its threads running: they end with it (valgrind checks for leaks) */
  CHECK(ae_workspace_set_threads(workspace, 2) == AE_ERROR_MISUSE && ae_workspace_threads(workspace) == 0, "a freed workspace");

#ifndef AE_TEST_UNDER_VALGRIND
  /* every thread's scratch together must fit in physical memory: a workspace of about half of
   * it (allocated, never touched) cannot take 8 threads (not under valgrind, whose heap is
   * smaller than such a workspace) */
  double physical = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
  ae_workspace *big = NULL;
  if (ae_workspace_create(model, (size_t)(physical / 2 / (3.0 * (double)width * sizeof(float))), &big) == AE_OK) {
    ae_status refused = ae_workspace_set_threads(big, 8);
    CHECK(refused == AE_ERROR_OUT_OF_MEMORY && strstr(ae_last_error(), "physical memory") && ae_workspace_threads(big) == 1,
          "8 threads of a workspace of half the memory: %d %s", refused, ae_last_error());
    ae_workspace_free(big);
  }
#endif

  /* results: n threads ~ 1 thread, the same bits run to run, no allocation */
  size_t many = 1000;
  float *tiled = tile(x, rows, width, many);
  compare_threads("dense, 60 rows, 2 threads", model, 64, 2, x, rows);
  compare_threads("dense, 60 rows in passes of 7, 3 threads", model, 7, 3, x, rows);
  compare_threads("dense, 1000 rows, 2 threads", model, 256, 2, tiled, many);
  compare_threads("dense, 2 rows, 4 threads", model, 8, 4, x, 2);
  compare_threads("dense, 1 row, 2 threads", model, 8, 2, x, 1);
  compare_threads("vae, 60 rows, 2 threads", vae, 16, 2, x, rows);

  /* the labeled, conditioned and _v2 calls on threads */
  size_t ck = ae_model_latent_dim(cvae), classes = ae_model_class_count(cvae), cwidth = ae_model_input_dim(cvae);
  int *labels = malloc(rows * sizeof(int));
  for (size_t r = 0; r < rows; r++) labels[r] = (int)(r % 3);
  float *conditions = one_hot(labels, rows, classes);
  ae_workspace *one = NULL, *two = NULL;
  CHECK(ae_workspace_create(cvae, 16, &one) == AE_OK && ae_workspace_create(cvae, 16, &two) == AE_OK &&
        ae_workspace_set_threads(two, 2) == AE_OK, "threads: cvae workspaces");
  float *a = malloc(rows * cwidth * sizeof(float)), *b = malloc(rows * cwidth * sizeof(float));
  float *za = malloc(rows * ck * sizeof(float)), *zb = malloc(rows * ck * sizeof(float));
  CHECK(ae_reconstruct_labeled(cvae, one, x, labels, rows, a) == AE_OK && ae_reconstruct_labeled(cvae, two, x, labels, rows, b) == AE_OK &&
        close_to(a, b, rows * cwidth), "reconstruct_labeled on 2 threads ~ 1");
  CHECK(ae_reconstruct_conditioned(cvae, two, x, conditions, rows, a) == AE_OK && same(a, b, rows * cwidth),
        "reconstruct_conditioned on 2 threads == reconstruct_labeled on 2 threads");
  CHECK(ae_encode_conditioned(cvae, one, x, conditions, rows, za) == AE_OK && ae_decode_conditioned(cvae, two, za, conditions, rows, a) == AE_OK &&
        ae_decode_labeled(cvae, one, za, labels, rows, b) == AE_OK && close_to(a, b, rows * cwidth), "decode_conditioned on 2 threads ~ 1");
  /* samples follow the seed whatever the threads: the drawn codes are the same bits */
  ae_sample_options sample = ae_sample_options_default();
  sample.seed = 5;
  CHECK(ae_sample_v2(cvae, one, rows, &sample, a, za) == AE_OK && ae_sample_v2(cvae, two, rows, &sample, b, zb) == AE_OK &&
        same(za, zb, rows * ck) && close_to(a, b, rows * cwidth), "sample_v2 (drawn classes) on 2 threads ~ 1; the same codes");
  CHECK(ae_sample_v2(cvae, NULL, rows, &sample, a, za) == AE_OK && close_to(a, b, rows * cwidth) && same(za, zb, rows * ck),
        "sample_v2 on 2 threads ~ without a workspace");
  sample.conditions = conditions;
  long counted = -1;
  ae_status status = AE_OK;
  COUNTED(status = ae_sample_v2(cvae, two, rows, &sample, b, zb), counted);
  CHECK(status == AE_OK && counted == 0, "sample_v2 with conditions on 2 threads: %ld allocations", counted);
  CHECK(ae_sample_v2(cvae, one, rows, &sample, a, za) == AE_OK && same(za, zb, rows * ck) && close_to(a, b, rows * cwidth),
        "sample_v2 with conditions on 2 threads ~ 1");
  sample.conditions = NULL;
  sample.label = 2;
  CHECK(ae_sample_v2(cvae, one, rows, &sample, a, za) == AE_OK && ae_sample_v2(cvae, two, rows, &sample, b, zb) == AE_OK &&
        same(za, zb, rows * ck) && close_to(a, b, rows * cwidth), "sample_v2 with a label on 2 threads ~ 1");
  ae_encode_options encode = ae_encode_options_default();
  encode.conditions = conditions;
  float *lv1 = malloc(rows * ck * sizeof(float)), *lv2 = malloc(rows * ck * sizeof(float));
  CHECK(ae_encode_distribution_v2(cvae, one, x, rows, &encode, za, lv1) == AE_OK &&
        ae_encode_distribution_v2(cvae, two, x, rows, &encode, zb, lv2) == AE_OK && close_to(za, zb, rows * ck) &&
        close_to(lv1, lv2, rows * ck), "encode_distribution_v2 on 2 threads ~ 1: %g, %g", scaled_difference(za, zb, rows * ck),
        scaled_difference(lv1, lv2, rows * ck));
  ae_interpolate_options path = ae_interpolate_options_default();
  path.steps = 7;
  path.spherical = 1;
  path.label = 1;
  COUNTED(status = ae_interpolate_v2(cvae, two, za, za + ck, &path, b), counted);
  CHECK(status == AE_OK && counted == 0, "interpolate_v2 on 2 threads: %ld allocations", counted);
  CHECK(ae_interpolate_v2(cvae, one, za, za + ck, &path, a) == AE_OK && close_to(a, b, 7 * cwidth), "interpolate_v2 on 2 threads ~ 1");
  ae_workspace_free(one);
  ae_workspace_free(two);

  /* results that overflow: NaN in every value of every share, the status of the one-thread call */
  size_t vwidth = ae_model_input_dim(vae), vk = ae_model_latent_dim(vae);
  CHECK(ae_workspace_create(vae, 4, &two) == AE_OK && ae_workspace_set_threads(two, 2) == AE_OK, "threads: vae workspace");
  float *samples = malloc(rows * vwidth * sizeof(float)), *codes = malloc(rows * vk * sizeof(float));
  sample = ae_sample_options_default();
  sample.temperature = FLT_MAX;
  status = ae_sample_v2(vae, two, rows, &sample, samples, codes);
  CHECK(status == AE_ERROR_NON_FINITE && all_nan(samples, rows * vwidth) && all_nan(codes, rows * vk),
        "sampling at FLT_MAX on 2 threads: status %d", status);
  ae_workspace_free(two);
  float *huge = malloc(rows * width * sizeof(float)), *scores = malloc(rows * sizeof(float));
  for (size_t i = 0; i < rows * width; i++) huge[i] = (i % 2 ? -3e38f : 3e38f);
  CHECK(ae_workspace_create(model, 5, &two) == AE_OK && ae_workspace_set_threads(two, 3) == AE_OK, "threads: dense workspace");
  status = ae_score_ws(model, two, huge, rows, scores);
  CHECK(status == AE_ERROR_NON_FINITE && all_nan(scores, rows) && strstr(ae_last_error(), "does not fit"), "scores of 3e38 on 3 threads: %d",
        status);
  float *bad = malloc(rows * width * sizeof(float));
  memcpy(bad, x, rows * width * sizeof(float));
  bad[50 * width + 3] = NAN;
  fill(scores, rows, -7.0f);
  CHECK(ae_score_ws(model, two, bad, rows, scores) == AE_ERROR_NON_FINITE && strstr(ae_last_error(), "row 50, column 3") &&
        untouched(scores, rows, -7.0f), "a NaN input on 3 threads: the one-thread message, output untouched: %s", ae_last_error());
  CHECK(ae_score_ws(model, two, x, rows, scores) == AE_OK && all_finite(scores, rows), "ordinary rows after that");
  ae_workspace_free(two);

  free(tiled); free(labels); free(conditions); free(a); free(b); free(za); free(zb); free(lv1); free(lv2);
  free(samples); free(codes); free(huge); free(scores); free(bad);
  ae_model_close(model);
  ae_model_close(vae);
  ae_model_close(cvae);
}

/* ---- a model with a one-hot and a continuous condition group --------------------------------- */

static void test_condition_groups(const char *model_file, const float *x, size_t rows) {
  ae_model *model = NULL;
  CHECK(ae_model_open(model_file, &model) == AE_OK, "open the two-group model %s", model_file);
  if (!model) return;
  const char *name = NULL;
  int kind = -1;
  size_t group_width = 0, width = ae_model_input_dim(model), k = ae_model_latent_dim(model), c = ae_model_condition_width(model);
  CHECK(c == 5 && ae_model_condition_group_count(model) == 2 && ae_model_class_count(model) == 0, "two groups of 5 values: %zu", c);
  CHECK(ae_model_condition_group(model, 0, &name, &kind, &group_width) == AE_OK && strcmp(name, "class") == 0 &&
        kind == AE_CONDITION_ONE_HOT && group_width == 3, "group 0");
  CHECK(ae_model_condition_group(model, 1, &name, &kind, &group_width) == AE_OK && strcmp(name, "level") == 0 &&
        kind == AE_CONDITION_CONTINUOUS && group_width == 2, "group 1: %s %d %zu", name, kind, group_width);
  CHECK(ae_model_can_sample(model) == 0 && ae_sample(model, 2, 1, 1.0f, NULL, NULL) == AE_ERROR_INVALID_ARGUMENT, "cannot sample");
  float *out = malloc(rows * width * sizeof(float)), *out2 = malloc(rows * width * sizeof(float));
  float *z = malloc(rows * k * sizeof(float));
  CHECK(ae_sample(model, 2, 1, 1.0f, out, NULL) == AE_ERROR_UNSUPPORTED && strstr(ae_last_error(), "cannot be drawn"),
        "ae_sample: continuous conditions cannot be drawn: %s", ae_last_error());
  float *conditions = calloc(rows * c, sizeof(float));
  for (size_t r = 0; r < rows; r++) {
    conditions[r * c + r % 3] = 1;
    conditions[r * c + 3] = (float)r / 10 - 3; /* continuous: any finite value */
    conditions[r * c + 4] = 250.0f;
  }
  int labels[2] = {0, 1};
  CHECK(ae_reconstruct_labeled(model, NULL, x, labels, 2, out) == AE_ERROR_UNSUPPORTED && strstr(ae_last_error(), "not one class label"),
        "labels for a two-group model: %s", ae_last_error());
  CHECK(ae_reconstruct_conditioned(model, NULL, x, conditions, rows, out) == AE_OK && all_finite(out, rows * width),
        "reconstruct_conditioned: %s", ae_last_error());
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(model, 8, &workspace) == AE_OK && ae_workspace_set_threads(workspace, 2) == AE_OK, "two-group workspace");
  CHECK(ae_reconstruct_conditioned(model, workspace, x, conditions, rows, out2) == AE_OK && close_to(out, out2, rows * width),
        "reconstruct_conditioned on 2 threads ~ 1: %g", scaled_difference(out, out2, rows * width));
  CHECK(ae_encode_conditioned(model, workspace, x, conditions, rows, z) == AE_OK &&
        ae_decode_conditioned(model, workspace, z, conditions, rows, out2) == AE_OK && close_to(out, out2, rows * width),
        "encode then decode ~ reconstruct: %g", scaled_difference(out, out2, rows * width));
  conditions[3] = NAN;
  CHECK(ae_encode_conditioned(model, NULL, x, conditions, rows, z) == AE_ERROR_NON_FINITE, "NaN in a continuous condition");
  conditions[3] = 0;
  conditions[1] = 2;
  CHECK(ae_encode_conditioned(model, NULL, x, conditions, rows, z) == AE_ERROR_INVALID_ARGUMENT, "2 in the one-hot group");
  conditions[1] = 0;
  ae_sample_options sample = ae_sample_options_default();
  sample.conditions = conditions;
  CHECK(ae_sample_v2(model, workspace, rows, &sample, out, z) == AE_OK && all_finite(out, rows * width), "sample_v2 with conditions");
  sample.conditions = NULL;
  sample.label = 0;
  CHECK(ae_sample_v2(model, workspace, rows, &sample, out, z) == AE_ERROR_UNSUPPORTED, "sample_v2 with a label");
  ae_interpolate_options path = ae_interpolate_options_default();
  path.steps = 3;
  path.condition = conditions + c;
  CHECK(ae_interpolate_v2(model, workspace, z, z + k, &path, out) == AE_OK && all_finite(out, 3 * width), "interpolate_v2 with a condition");
  ae_workspace_free(workspace);
  free(out); free(out2); free(z); free(conditions);
  ae_model_close(model);
}

#endif
