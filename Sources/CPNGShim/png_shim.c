/* libpng glue: libpng reports errors with longjmp, which only C can catch. */
#include "CPNGShim.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>

int aepng_write_gray8(const char *path, uint32_t width, uint32_t height, const uint8_t *pixels,
                      char *err, size_t err_capacity) {
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
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (uint32_t row = 0; row < height; row++) png_write_row(png, pixels + (size_t)row * width);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(file) != 0) {
    snprintf(err, err_capacity, "cannot finish writing '%s'", path);
    return -1;
  }
  return 0;
}
