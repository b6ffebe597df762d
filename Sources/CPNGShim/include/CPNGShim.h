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

#endif
