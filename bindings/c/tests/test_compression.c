/*
 * test_compression: ae_compress_bound, ae_compress and ae_decompress against the `ae` tool's
 * file, and every error path of them (docs/COMPRESSION.md).
 *
 *   test_compression MODEL X.csv CODES.bin OTHER_MODEL CVAE_MODEL
 *
 * X.csv: rows of MODEL's input (fixtures.sh: 60 rows of 20 values); CODES.bin: `ae compress
 * MODEL --data X.csv --bits 8`; OTHER_MODEL another unconditional model; CVAE_MODEL a cvae.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 */
#include <autoencoder.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The whole of a file, or exit. */
static unsigned char *read_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  rewind(file);
  unsigned char *bytes = malloc(length > 0 ? (size_t)length : 1);
  if (!bytes || fread(bytes, 1, (size_t)length, file) != (size_t)length) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(file);
  *size = (size_t)length;
  return bytes;
}

/* Rows of comma-separated floats, width values each; sets *rows. */
static float *read_csv(const char *path, size_t width, size_t *rows) {
  FILE *file = fopen(path, "r");
  if (!file) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  size_t capacity = 64 * width, count = 0;
  float *values = malloc(capacity * sizeof(float));
  float value;
  while (values && fscanf(file, "%f%*[,\n\r]", &value) == 1) {
    if (count == capacity) values = realloc(values, (capacity *= 2) * sizeof(float));
    if (values) values[count++] = value;
  }
  fclose(file);
  if (!values || count % width != 0) { fprintf(stderr, "%s: not rows of %zu values\n", path, width); exit(2); }
  *rows = count / width;
  return values;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: test_compression MODEL X.csv CODES.bin OTHER_MODEL CVAE_MODEL\n");
    return 2;
  }
  ae_model *model = NULL, *other = NULL, *cvae = NULL;
  if (ae_model_open(argv[1], &model) != AE_OK || ae_model_open(argv[4], &other) != AE_OK ||
      ae_model_open(argv[5], &cvae) != AE_OK) {
    fprintf(stderr, "cannot open the models: %s\n", ae_last_error());
    return 2;
  }
  size_t d = ae_model_input_dim(model), k = ae_model_latent_dim(model), n = 0, cli_size = 0;
  float *x = read_csv(argv[2], d, &n);
  unsigned char *cli = read_file(argv[3], &cli_size);

  /* The bound is the stored size of the levels; the bytes are the tool's file. */
  size_t bound = 0, written = 0;
  CHECK(ae_compress_bound(model, n, 8, &bound) == AE_OK && bound == 40 + 8 * k + n * k, "bound %zu", bound);
  unsigned char *out = malloc(bound);
  CHECK(ae_compress(model, x, n, 8, out, bound, &written) == AE_OK, "ae_compress");
  CHECK(written <= bound && written == cli_size && memcmp(out, cli, written) == 0,
        "ae_compress wrote %zu bytes, the tool %zu, not the same", written, cli_size);

  /* Decompress: the row count first, then rows close to the reconstructions (8 bits). */
  size_t rows = 0;
  CHECK(ae_decompress(model, out, written, NULL, 0, &rows) == AE_OK && rows == n, "rows %zu of %zu", rows, n);
  float *decoded = malloc(n * d * sizeof(float)), *reconstructed = malloc(n * d * sizeof(float));
  CHECK(ae_decompress(model, out, written, decoded, n, &rows) == AE_OK && rows == n, "ae_decompress");
  CHECK(ae_reconstruct(model, x, n, reconstructed) == AE_OK, "ae_reconstruct");
  double gap = 0, spread = 0;
  for (size_t i = 0; i < n * d; i++) {
    gap = fmax(gap, fabs(decoded[i] - reconstructed[i]));
    spread = fmax(spread, fabs(reconstructed[i]));
  }
  CHECK(gap < 0.05 * spread, "8-bit codes decode %g from the reconstructions (values up to %g)", gap, spread);
  /* 16 bits: all but the reconstructions. */
  size_t bound16 = 0, written16 = 0;
  CHECK(ae_compress_bound(model, n, 16, &bound16) == AE_OK, "bound 16");
  unsigned char *out16 = malloc(bound16);
  CHECK(ae_compress(model, x, n, 16, out16, bound16, &written16) == AE_OK, "ae_compress 16");
  CHECK(ae_decompress(model, out16, written16, decoded, n, &rows) == AE_OK, "ae_decompress 16");
  double gap16 = 0;
  for (size_t i = 0; i < n * d; i++) gap16 = fmax(gap16, fabs(decoded[i] - reconstructed[i]));
  CHECK(gap16 < gap && gap16 < 1e-3 * spread, "16-bit gap %g, 8-bit %g", gap16, gap);

  /* Errors: statuses, and out-parameters left as they were. */
  written = 12345;
  CHECK(ae_compress(model, x, n, 8, out, 10, &written) == AE_ERROR_INVALID_ARGUMENT && written == 12345, "small out");
  CHECK(ae_compress(model, x, n, 0, out, bound, &written) == AE_ERROR_INVALID_ARGUMENT, "bits 0");
  CHECK(ae_compress(model, x, n, 17, out, bound, &written) == AE_ERROR_INVALID_ARGUMENT, "bits 17");
  CHECK(ae_compress_bound(model, n, 33, &bound) == AE_ERROR_INVALID_ARGUMENT, "bound bits 33");
  CHECK(ae_compress_bound(model, SIZE_MAX, 16, &bound) == AE_ERROR_OVERFLOW, "bound overflow");
  CHECK(ae_compress_bound(model, n, 8, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL bytes");
  CHECK(ae_compress(model, NULL, n, 8, out, bound, &written) == AE_ERROR_INVALID_ARGUMENT, "NULL x");
  CHECK(ae_compress(model, x, 0, 8, out, bound, &written) == AE_ERROR_INVALID_ARGUMENT, "n 0");
  CHECK(ae_compress(NULL, x, n, 8, out, bound, &written) != AE_OK, "NULL model");
  CHECK(ae_compress_bound(cvae, n, 8, &bound) == AE_ERROR_UNSUPPORTED, "cvae");
  CHECK(ae_decompress(cvae, cli, cli_size, NULL, 0, &rows) == AE_ERROR_UNSUPPORTED, "cvae decompress");
  rows = 777;
  CHECK(ae_decompress(other, cli, cli_size, NULL, 0, &rows) == AE_ERROR_FORMAT && rows == 777 &&
        strstr(ae_last_error(), "another model") != NULL, "another model");
  CHECK(ae_decompress(model, cli, cli_size, decoded, n - 1, &rows) == AE_ERROR_INVALID_ARGUMENT && rows == 777, "x too small");
  int truncations_refused = 1;
  for (size_t length = 0; length < cli_size; length++) {
    truncations_refused &= ae_decompress(model, cli, length, NULL, 0, &rows) == AE_ERROR_FORMAT;
  }
  CHECK(truncations_refused && rows == 777, "every truncation: AE_ERROR_FORMAT");
  int flips_refused = 1;
  for (size_t i = 40 + 8 * k; i < cli_size; i++) { /* the payload: the CRC-32 catches every flipped bit */
    cli[i] ^= 0x20;
    flips_refused &= ae_decompress(model, cli, cli_size, NULL, 0, &rows) == AE_ERROR_FORMAT;
    cli[i] ^= 0x20;
  }
  CHECK(flips_refused, "every flipped payload byte: AE_ERROR_FORMAT");
  CHECK(ae_decompress(model, NULL, cli_size, NULL, 0, &rows) == AE_ERROR_INVALID_ARGUMENT, "NULL data");
  CHECK(ae_decompress(model, cli, cli_size, NULL, 0, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL rows");

  free(out16);
  free(decoded);
  free(reconstructed);
  free(out);
  free(cli);
  free(x);
  ae_model_close(cvae);
  ae_model_close(other);
  ae_model_close(model);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
