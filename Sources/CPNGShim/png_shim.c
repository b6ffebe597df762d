/* libpng glue: libpng reports errors with longjmp, which only C can catch. */
#include "CPNGShim.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aepng_write_gray8(const char *path, uint32_t width, uint32_t height, const uint8_t *pixels,
                      char *err, size_t err_capacity) {
  return aepng_write8(path, width, height, 1, pixels, err, err_capacity);
}

int aepng_write8(const char *path, uint32_t width, uint32_t height, uint32_t channels, const uint8_t *pixels,
                 char *err, size_t err_capacity) {
  if (channels != 1 && channels != 3) {
    snprintf(err, err_capacity, "a PNG is written with 1 or 3 channels, not %u", (unsigned)channels);
    return -1;
  }
  FILE *file = fopen(path, "wb");
  if (!file) {
    snprintf(err, err_capacity, "cannot open '%s' for writing", path);
    return -1;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    snprintf(err, err_capacity, "libpng could not start");
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return -1;
  }
  if (setjmp(png_jmpbuf(png))) {
    snprintf(err, err_capacity, "libpng failed while writing '%s'", path);
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return -1;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = (size_t)width * channels;
  for (uint32_t row = 0; row < height; row++) png_write_row(png, pixels + (size_t)row * stride);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(file) != 0) {
    snprintf(err, err_capacity, "cannot finish writing '%s'", path);
    return -1;
  }
  return 0;
}

/* Where libpng's error handler leaves its message before jumping back. */
struct read_error {
  char text[200];
};

static void read_failed(png_structp png, png_const_charp message) {
  struct read_error *error = png_get_error_ptr(png);
  if (error) snprintf(error->text, sizeof error->text, "%s", message ? message : "unknown libpng error");
  png_longjmp(png, 1);
}

static void read_warning(png_structp png, png_const_charp message) {
  (void)png;
  (void)message; /* warnings (a bad CRC in an ancillary chunk, ...) do not stop the read */
}

/* The PNG bytes still to read. */
struct memory_source {
  const uint8_t *bytes;
  size_t length, offset;
};

static void read_memory(png_structp png, png_bytep out, size_t count) {
  struct memory_source *source = png_get_io_ptr(png);
  if (count > source->length - source->offset) png_error(png, "the file ends early (truncated)");
  memcpy(out, source->bytes + source->offset, count);
  source->offset += count;
}

int aepng_read8(const uint8_t *bytes, size_t length, const char *name, uint32_t max_side, uint64_t max_pixels,
                uint8_t **pixels, uint32_t *width, uint32_t *height, uint32_t *channels, char *err,
                size_t err_capacity) {
  *pixels = NULL;
  if (length < 8 || png_sig_cmp(bytes, 0, 8) != 0) {
    snprintf(err, err_capacity, "%s: not a PNG file (no PNG signature)", name);
    return -1;
  }
  struct memory_source source = {bytes, length, 8};
  struct read_error error = {{0}};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, read_failed, read_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    snprintf(err, err_capacity, "%s: libpng could not start", name);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  /* Changed after setjmp and read after a longjmp: volatile, so their values survive it. */
  uint8_t *volatile image = NULL;
  png_bytep *volatile row_pointers = NULL;
  uint8_t *volatile rows = NULL;
  if (setjmp(png_jmpbuf(png))) {
    snprintf(err, err_capacity, "%s: not a readable PNG (truncated or corrupt): %s", name, error.text);
    free(image);
    free(row_pointers);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  png_set_read_fn(png, &source, read_memory);
  png_set_sig_bytes(png, 8);
  png_set_user_limits(png, max_side, max_side);
  png_set_chunk_malloc_max(png, 8u << 20); /* text and other chunks: a few MB at most */
  png_read_info(png, info);
  png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  if ((uint64_t)w * h > max_pixels) {
    snprintf(err, err_capacity, "%s: a PNG of %ux%u pixels is larger than the %llu pixels allowed", name, (unsigned)w,
             (unsigned)h, (unsigned long long)max_pixels);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  int color = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(png);
  png_set_packing(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t got = png_get_channels(png, info); /* 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA */
  size_t kept = got >= 3 ? 3 : 1;
  size_t rowbytes = png_get_rowbytes(png, info);
  if (got < 1 || got > 4 || png_get_bit_depth(png, info) != 8 || rowbytes != (size_t)w * got) {
    snprintf(err, err_capacity, "%s: a PNG this reader cannot convert to 8-bit grey or RGB", name);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  rows = malloc(rowbytes * h);
  row_pointers = malloc(sizeof(png_bytep) * h);
  image = malloc((size_t)w * h * kept);
  if (!rows || !row_pointers || !image) {
    snprintf(err, err_capacity, "%s: out of memory for a PNG of %ux%u pixels", name, (unsigned)w, (unsigned)h);
    free(image);
    free(row_pointers);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  for (png_uint_32 y = 0; y < h; y++) row_pointers[y] = rows + (size_t)y * rowbytes;
  png_read_image(png, row_pointers);
  png_read_end(png, NULL);
  /* Drop alpha: keep the first `kept` samples of each pixel. */
  for (size_t i = 0; i < (size_t)w * h; i++) memcpy(image + i * kept, rows + i * got, kept);
  free(row_pointers);
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
    *pixels = image;
  *width = w;
  *height = h;
  *channels = (uint32_t)kept;
  return 0;
}
