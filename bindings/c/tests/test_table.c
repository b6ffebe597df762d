/*
 * test_table: the table-model calls of libautoencoder (ae_table_*, ae_sample_table) against the
 * CSV the model was fitted on, and every error path of them.
 *
 *   test_table TABLE_MODEL TABLE.csv OTHER_MODEL
 *
 * TABLE.csv (table_fixture.sh) has the header group,flag,count,x: group is A or B (A first),
 * flag true or false, count a whole number, x a real number near 0 in group A and near 10 in
 * group B, no cell missing. TABLE_MODEL is `ae augment fit TABLE.csv`; OTHER_MODEL any model
 * that is not a table model. Prints "N passed, M failed" and exits non-zero on any failure.
 */
#include <autoencoder.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { COLUMNS = 4, GROUP = 0, FLAG = 1, COUNT = 2, X = 3 };

/* What the CSV says: the range of count and x, and the header's names. */
typedef struct {
  char names[COLUMNS][32];
  double low[COLUMNS], high[COLUMNS];
} table_facts;

static table_facts read_facts(const char *path) {
  table_facts facts = {{{0}}, {0}, {0}};
  FILE *file = fopen(path, "r");
  if (!file) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  char line[256];
  if (!fgets(line, sizeof line, file) ||
      sscanf(line, "%31[^,],%31[^,],%31[^,],%31[^\r\n]", facts.names[0], facts.names[1], facts.names[2], facts.names[3]) != 4) {
    fprintf(stderr, "%s: no header of 4 columns\n", path);
    exit(2);
  }
  for (int c = 0; c < COLUMNS; c++) facts.low[c] = INFINITY, facts.high[c] = -INFINITY;
  while (fgets(line, sizeof line, file)) {
    char group[8], flag[8];
    double values[COLUMNS];
    if (sscanf(line, "%7[^,],%7[^,],%lf,%lf", group, flag, &values[COUNT], &values[X]) != 4) continue;
    for (int c = COUNT; c <= X; c++) {
      if (values[c] < facts.low[c]) facts.low[c] = values[c];
      if (values[c] > facts.high[c]) facts.high[c] = values[c];
    }
  }
  fclose(file);
  return facts;
}

static int same_text(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void test_columns(const ae_model *model, const table_facts *facts) {
  CHECK(ae_table_column_count(model) == COLUMNS, "4 columns, got %zu", ae_table_column_count(model));
  for (size_t c = 0; c < COLUMNS; c++) {
    CHECK(same_text(ae_table_column_name(model, c), facts->names[c]), "column %zu is named %s", c, facts->names[c]);
  }
  CHECK(ae_last_error()[0] == '\0', "introspection that succeeds empties the last error");
  int kinds[COLUMNS] = {AE_COLUMN_CATEGORICAL, AE_COLUMN_BOOLEAN, AE_COLUMN_INTEGER, AE_COLUMN_CONTINUOUS};
  size_t counts[COLUMNS] = {2, 2, 0, 0};
  int conditions[COLUMNS] = {1, 1, 0, 0};
  for (size_t c = 0; c < COLUMNS; c++) {
    CHECK(ae_table_column_kind(model, c) == kinds[c], "column %zu kind %d", c, ae_table_column_kind(model, c));
    CHECK(ae_table_category_count(model, c) == counts[c], "column %zu categories %zu", c, ae_table_category_count(model, c));
    CHECK(ae_table_column_is_condition(model, c) == conditions[c], "column %zu condition", c);
  }
  CHECK(same_text(ae_table_category(model, GROUP, 0), "A") && same_text(ae_table_category(model, GROUP, 1), "B"),
        "group's categories are A, B in order of appearance");
  CHECK(same_text(ae_table_category(model, FLAG, 0), "false") && same_text(ae_table_category(model, FLAG, 1), "true"),
        "a boolean's categories are false, true");

  /* Out of range: NULL, -1 or 0, and a message. */
  CHECK(ae_table_column_name(model, COLUMNS) == NULL && strstr(ae_last_error(), "outside"), "name of column 4");
  CHECK(ae_table_column_kind(model, SIZE_MAX) == -1, "kind of column SIZE_MAX");
  CHECK(ae_table_column_is_condition(model, COLUMNS) == -1, "condition of column 4");
  CHECK(ae_table_category_count(model, COLUMNS) == 0, "categories of column 4");
  CHECK(ae_table_category(model, GROUP, 2) == NULL && strstr(ae_last_error(), "outside"), "category 2 of group");
  CHECK(ae_table_category(model, X, 0) == NULL && strstr(ae_last_error(), "numbers"), "a category of a number column");
}

/* n rows of a sample hold what the table could: categories in range, whole counts, numbers in
 * the training range, nothing missing (the table had no missing cell). */
static int plausible_rows(const ae_model *model, const double *rows, size_t n, const table_facts *facts) {
  for (size_t i = 0; i < n; i++) {
    const double *row = rows + i * COLUMNS;
    for (size_t c = 0; c < COLUMNS; c++) if (isnan(row[c])) return 0;
    for (size_t c = GROUP; c <= FLAG; c++) {
      if (row[c] < 0 || row[c] >= (double)ae_table_category_count(model, c) || row[c] != floor(row[c])) return 0;
    }
    if (row[COUNT] != floor(row[COUNT])) return 0;
    for (size_t c = COUNT; c <= X; c++) if (row[c] < facts->low[c] || row[c] > facts->high[c]) return 0;
  }
  return 1;
}

static void test_sampling(const ae_model *model, const table_facts *facts) {
  enum { N = 400, FIRST = 150, CHUNK = 80 };
  double *rows = malloc(N * COLUMNS * sizeof(double)), *again = malloc(N * COLUMNS * sizeof(double));
  double *chunk = malloc(CHUNK * COLUMNS * sizeof(double));
  CHECK(ae_sample_table(model, NULL, N, 5, 0, NULL, rows) == AE_OK, "sample %d rows", N);
  CHECK(ae_last_error()[0] == '\0', "a call that succeeds empties the last error");
  CHECK(plausible_rows(model, rows, N, facts), "categories in range, whole counts, numbers within the CSV's range");
  size_t groups[2] = {0, 0};
  for (size_t i = 0; i < N; i++) groups[(int)rows[i * COLUMNS + GROUP]]++;
  CHECK(groups[0] > N / 5 && groups[1] > N / 5, "both groups drawn (A %zu, B %zu of %d)", groups[0], groups[1], N);

  CHECK(ae_sample_table(model, NULL, N, 5, 0, NULL, again) == AE_OK && memcmp(rows, again, N * COLUMNS * sizeof(double)) == 0,
        "the same seed and call give the same rows, bit for bit");
  CHECK(ae_sample_table(model, NULL, N, 6, 0, NULL, again) == AE_OK && memcmp(rows, again, N * COLUMNS * sizeof(double)) != 0,
        "another seed gives other rows");

  /* Rows FIRST.. of the long sample, from a call with first_row, through a small workspace
   * (other batch shapes, so numbers to 1e-9 relative and categories in >= 99% of cells). */
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(model, 16, &workspace) == AE_OK, "a workspace of 16 rows for the table model");
  CHECK(ae_sample_table(model, workspace, CHUNK, 5, FIRST, NULL, chunk) == AE_OK, "rows %d.. with first_row", FIRST);
  size_t numbers_off = 0, categories_same = 0;
  for (size_t i = 0; i < CHUNK; i++) {
    const double *a = rows + (FIRST + i) * COLUMNS, *b = chunk + i * COLUMNS;
    categories_same += (a[GROUP] == b[GROUP]) + (a[FLAG] == b[FLAG]);
    if (a[GROUP] != b[GROUP]) continue; /* a flipped category draws the numbers from another mode */
    for (size_t c = COUNT; c <= X; c++) if (fabs(a[c] - b[c]) > 1e-9 * fmax(1, fabs(a[c]))) numbers_off++;
  }
  CHECK(categories_same * 100 >= 99 * 2 * CHUNK, "categories of the chunk equal the long call's: %zu of %d", categories_same, 2 * CHUNK);
  CHECK(numbers_off * 100 <= CHUNK, "numbers of the chunk equal the long call's to 1e-9: %zu differ", numbers_off);

  /* Fixing a condition column sets it in every row, and the other columns follow it: x is
   * near 10 in group B. */
  double fixed[COLUMNS] = {1, NAN, NAN, NAN};
  CHECK(ae_sample_table(model, workspace, N, 9, 0, fixed, rows) == AE_OK, "sample with group fixed to B");
  size_t in_b = 0;
  double mean_x = 0;
  for (size_t i = 0; i < N; i++) in_b += rows[i * COLUMNS + GROUP] == 1, mean_x += rows[i * COLUMNS + X] / N;
  CHECK(in_b == N, "every row is in group B: %zu of %d", in_b, N);
  CHECK(mean_x > 5, "x follows the fixed group: mean %g (B's x is near 10)", mean_x);
  CHECK(plausible_rows(model, rows, N, facts), "fixed rows are plausible too");
  double fixed_flag[COLUMNS] = {NAN, 0, NAN, NAN};
  CHECK(ae_sample_table(model, NULL, N, 9, 0, fixed_flag, rows) == AE_OK, "sample with flag fixed to false");
  size_t false_rows = 0;
  for (size_t i = 0; i < N; i++) false_rows += rows[i * COLUMNS + FLAG] == 0;
  CHECK(false_rows == N, "every row has flag false: %zu of %d", false_rows, N);

  /* Each error path: the documented status, a message, out untouched. */
  for (size_t i = 0; i < CHUNK * COLUMNS; i++) chunk[i] = -12345;
  double bad_category[COLUMNS] = {2, NAN, NAN, NAN}, half[COLUMNS] = {0.5, NAN, NAN, NAN};
  double infinite[COLUMNS] = {INFINITY, NAN, NAN, NAN}, number_fixed[COLUMNS] = {NAN, NAN, 3, NAN};
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, 0, bad_category, chunk) == AE_ERROR_INVALID_ARGUMENT &&
        strstr(ae_last_error(), "group"), "group fixed to 2 of 2 categories");
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, 0, half, chunk) == AE_ERROR_INVALID_ARGUMENT, "group fixed to 0.5");
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, 0, infinite, chunk) == AE_ERROR_INVALID_ARGUMENT, "group fixed to infinity");
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, 0, number_fixed, chunk) == AE_ERROR_INVALID_ARGUMENT &&
        strstr(ae_last_error(), "count") && strstr(ae_last_error(), "cannot be fixed"), "a number column fixed");
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, 0, NULL, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL out");
  CHECK(ae_sample_table(NULL, NULL, CHUNK, 5, 0, NULL, chunk) == AE_ERROR_INVALID_ARGUMENT, "NULL model");
  CHECK(ae_sample_table(model, NULL, 0, 5, 0, NULL, chunk) == AE_ERROR_INVALID_ARGUMENT, "0 rows");
  CHECK(ae_sample_table(model, NULL, SIZE_MAX / 2, 5, 0, NULL, chunk) == AE_ERROR_OVERFLOW, "SIZE_MAX / 2 rows of 4 columns");
  CHECK(ae_sample_table(model, NULL, SIZE_MAX / 4 + 1, 5, 0, NULL, chunk) == AE_ERROR_OVERFLOW, "SIZE_MAX / 4 + 1 rows");
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, UINT64_MAX, NULL, chunk) == AE_ERROR_INVALID_ARGUMENT &&
        strstr(ae_last_error(), "first_row"), "first_row UINT64_MAX");
  CHECK(ae_sample_table(model, NULL, CHUNK, 5, (uint64_t)INT64_MAX - CHUNK + 1, NULL, chunk) == AE_ERROR_INVALID_ARGUMENT,
        "first_row + rows one beyond 2^63 - 1");
  CHECK(ae_sample_table(model, (ae_workspace *)model, CHUNK, 5, 0, NULL, chunk) == AE_ERROR_MISUSE, "a model as the workspace");
  int untouched = 1;
  for (size_t i = 0; i < CHUNK * COLUMNS; i++) untouched &= chunk[i] == -12345;
  CHECK(untouched, "out is untouched by calls that fail");
  CHECK(ae_sample_table(model, NULL, 1, 5, (uint64_t)INT64_MAX - 1, NULL, chunk) == AE_OK, "the last row of a sample");

  ae_workspace_free(workspace);
  free(rows);
  free(again);
  free(chunk);
}

/* A model that is not a table model has no columns and cannot sample a table. */
static void test_other_model(const char *path, const ae_model *table) {
  ae_model *other = NULL;
  CHECK(ae_model_open(path, &other) == AE_OK, "open %s", path);
  if (!other) return;
  double out[COLUMNS];
  CHECK(ae_table_column_count(other) == 0, "no columns");
  CHECK(ae_table_column_name(other, 0) == NULL && strstr(ae_last_error(), "not a table model"), "no column 0");
  CHECK(ae_table_column_kind(other, 0) == -1 && ae_table_column_is_condition(other, 0) == -1, "no kind, no condition");
  CHECK(ae_table_category_count(other, 0) == 0 && ae_table_category(other, 0, 0) == NULL, "no categories");
  CHECK(ae_sample_table(other, NULL, 1, 5, 0, NULL, out) == AE_ERROR_UNSUPPORTED &&
        strstr(ae_last_error(), "not a table model"), "ae_sample_table on a model that is not a table model");
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(other, 4, &workspace) == AE_OK, "a workspace of the other model");
  CHECK(ae_sample_table(table, workspace, 1, 5, 0, NULL, out) == AE_ERROR_WORKSPACE, "another model's workspace");
  ae_workspace_free(workspace);

  /* The float-row calls refuse a table model. */
  float x[COLUMNS] = {0}, z[COLUMNS] = {0};
  CHECK(ae_encode(table, x, 1, z) == AE_ERROR_UNSUPPORTED && strstr(ae_last_error(), "table model"), "ae_encode on a table model");
  CHECK(ae_sample(table, 1, 5, 1.0f, x, NULL) == AE_ERROR_UNSUPPORTED, "ae_sample on a table model");
  ae_model_close(other);
  CHECK(ae_table_column_count(other) == 0 && strstr(ae_last_error(), "closed"), "a closed model has no columns");
  CHECK(ae_sample_table(other, NULL, 1, 5, 0, NULL, out) == AE_ERROR_MISUSE, "ae_sample_table on a closed model");
  CHECK(ae_table_column_count(NULL) == 0 && ae_table_column_name(NULL, 0) == NULL, "NULL model");
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s TABLE_MODEL TABLE.csv OTHER_MODEL\n", argv[0]);
    return 2;
  }
  table_facts facts = read_facts(argv[2]);
  ae_model *model = NULL;
  CHECK(ae_model_open(argv[1], &model) == AE_OK, "open %s", argv[1]);
  if (!model) return 1;
  test_columns(model, &facts);
  test_sampling(model, &facts);
  test_other_model(argv[3], model);
  ae_model_close(model);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
