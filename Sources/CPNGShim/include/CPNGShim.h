/*
 * CPNGShim: libpng glue. libpng reports errors with longjmp, which Swift cannot catch.
 */
#ifndef AE_CPNGSHIM_H
#define AE_CPNGSHIM_H

#include <stddef.h>
#include <stdint.h>

/* Write an 8-bit grayscale PNG. Returns 0, or -1 with a message in err. */
int aepng_write_gray8(const char *path, uint32_t width, uint32_t height, const uint8_t *pixels,
                      char *err, size_t err_capacity);

/* Write an 8-bit PNG of 1 (grey) or 3 (RGB) channels, pixels row by row, channels fastest.
   Returns 0, or -1 with a message in err. */
int aepng_write8(const char *path, uint32_t width, uint32_t height, uint32_t channels, const uint8_t *pixels,
                 char *err, size_t err_capacity);

/* Read a PNG file's bytes (named `name` in messages) as 8-bit grey (channels 1) or RGB
   (channels 3): 16-bit samples are scaled to 8 bits, palettes expanded to RGB, low bit depths
   to 8 bits, and alpha dropped. Images wider or taller than max_side pixels, or of more than
   max_pixels pixels, are refused before their pixels are read. On success returns 0 and sets
   *pixels to a malloc'ed block of height x width x channels bytes (free it with free()); on
   failure returns -1 with a message in err (a truncated or corrupt file, a limit, out of
   memory) and *pixels NULL. */
int aepng_read8(const uint8_t *bytes, size_t length, const char *name, uint32_t max_side, uint64_t max_pixels,
                uint8_t **pixels, uint32_t *width, uint32_t *height, uint32_t *channels, char *err,
                size_t err_capacity);

#endif
