/* The C tests' one assertion: CHECK(condition, printf-style message) counts a pass or prints
 * the failure with its line and the library's last error, and the test goes on. */
#ifndef AE_TEST_CHECK_H
#define AE_TEST_CHECK_H

#include <stdio.h>

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

#endif
