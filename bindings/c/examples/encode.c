/*
 * encode: print the codes of rows read from a CSV file, using libautoencoder.
 *
 *   encode model.h5 rows.csv          (one row of input_dim numbers per line, no header)
 *
 * Build: cc encode.c $(pkg-config --cflags --libs autoencoder) -o encode
 */
#include <autoencoder.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read up to max_rows rows of width numbers; returns the row count, or -1 on a bad line. */
static long read_rows(FILE *file, size_t width, float *values, long max_rows) {
  char line[1 << 16];
  long rows = 0;
  while (rows < max_rows && fgets(line, sizeof line, file)) {
    char *cursor = line;
    if (strspn(line, " \t\r\n") == strlen(line)) continue; /* blank line */
    for (size_t j = 0; j < width; j++) {
      char *end;
      values[rows * width + j] = strtof(cursor, &end);
      if (end == cursor) {
        fprintf(stderr, "encode: line %ld: expected %zu numbers\n", rows + 1, width);
        return -1;
      }
      cursor = end + strspn(end, ", \t");
    }
    rows++;
  }
  return rows;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s model.h5 rows.csv\n", argv[0]);
    return 2;
  }
  if (ae_abi_version() != AE_ABI_VERSION) {
    fprintf(stderr, "encode: built for ABI %d, library has %d\n", AE_ABI_VERSION, ae_abi_version());
    return 1;
  }
  ae_model *model = NULL;
  if (ae_model_open(argv[1], &model) != AE_OK) {
    fprintf(stderr, "encode: %s\n", ae_last_error());
    return 1;
  }
  size_t width = ae_model_input_dim(model), latent = ae_model_latent_dim(model);
  FILE *file = fopen(argv[2], "r");
  if (!file) {
    fprintf(stderr, "encode: cannot open %s\n", argv[2]);
    ae_model_close(model);
    return 1;
  }
  const long max_rows = 4096;
  float *x = malloc(sizeof(float) * width * max_rows);
  float *z = malloc(sizeof(float) * latent * max_rows);
  long rows = x && z ? read_rows(file, width, x, max_rows) : -1;
  fclose(file);
  int status = 1;
  if (rows > 0) {
    ae_status s = ae_encode(model, x, (size_t)rows, z);
    if (s != AE_OK) {
      fprintf(stderr, "encode: %s: %s\n", ae_status_string(s), ae_last_error());
    } else {
      for (long r = 0; r < rows; r++)
        for (size_t j = 0; j < latent; j++)
          printf("%.9g%c", z[r * latent + j], j + 1 < latent ? ',' : '\n');
      fprintf(stderr, "encode: %ld rows of %zu values -> codes of %zu (%s model, libautoencoder %s)\n",
              rows, width, latent, ae_model_kind(model), ae_version());
      status = 0;
    }
  } else if (rows == 0) {
    fprintf(stderr, "encode: %s holds no rows\n", argv[2]);
  }
  free(x);
  free(z);
  ae_model_close(model);
  return status;
}
